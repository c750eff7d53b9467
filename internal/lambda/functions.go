package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

type functionCode struct {
	ZipFile         []byte `json:"ZipFile"`
	S3Bucket        string `json:"S3Bucket"`
	S3Key           string `json:"S3Key"`
	S3ObjectVersion string `json:"S3ObjectVersion"`
	ImageUri        string `json:"ImageUri"`
}

type environmentIn struct {
	Variables map[string]string `json:"Variables"`
}

type createFunctionInput struct {
	FunctionName     string            `json:"FunctionName"`
	Runtime          string            `json:"Runtime"`
	Role             string            `json:"Role"`
	Handler          string            `json:"Handler"`
	Code             *functionCode     `json:"Code"`
	Description      string            `json:"Description"`
	Timeout          *int              `json:"Timeout"`
	MemorySize       *int              `json:"MemorySize"`
	Publish          bool              `json:"Publish"`
	PackageType      string            `json:"PackageType"`
	DeadLetterConfig *deadLetterConfig `json:"DeadLetterConfig"`
	Environment      *environmentIn    `json:"Environment"`
	KMSKeyArn        string            `json:"KMSKeyArn"`
	TracingConfig    *tracingConfig    `json:"TracingConfig"`
	Tags             map[string]string `json:"Tags"`
	Layers           []string          `json:"Layers"`
	Architectures    []string          `json:"Architectures"`
	EphemeralStorage *ephemeralStorage `json:"EphemeralStorage"`
	LoggingConfig    *loggingConfig    `json:"LoggingConfig"`
}

type updateConfigInput struct {
	FunctionName     string            `json:"-"`
	Role             *string           `json:"Role"`
	Handler          *string           `json:"Handler"`
	Description      *string           `json:"Description"`
	Timeout          *int              `json:"Timeout"`
	MemorySize       *int              `json:"MemorySize"`
	Environment      *environmentIn    `json:"Environment"`
	Runtime          *string           `json:"Runtime"`
	DeadLetterConfig *deadLetterConfig `json:"DeadLetterConfig"`
	KMSKeyArn        *string           `json:"KMSKeyArn"`
	TracingConfig    *tracingConfig    `json:"TracingConfig"`
	RevisionId       string            `json:"RevisionId"`
	Layers           *[]string         `json:"Layers"`
	EphemeralStorage *ephemeralStorage `json:"EphemeralStorage"`
	LoggingConfig    *loggingConfig    `json:"LoggingConfig"`
}

type updateCodeInput struct {
	FunctionName string `json:"-"`
	functionCode
	Publish       bool     `json:"Publish"`
	DryRun        bool     `json:"DryRun"`
	RevisionId    string   `json:"RevisionId"`
	Architectures []string `json:"Architectures"`
}

// fetchCode validates and stores the package a request names.
func (s *Service) fetchCode(ctx context.Context, account, region string, c *functionCode, dryRun bool) (codeRef, error) {
	if c == nil {
		return codeRef{}, edge.MissingMember("code")
	}
	if c.ImageUri != "" {
		return codeRef{}, invalidParam("Container images are not supported; use PackageType Zip.")
	}
	if c.S3Bucket == hotBucket {
		dir := c.S3Key
		if !filepath.IsAbs(dir) {
			return codeRef{}, invalidParam("Hot reload needs an absolute directory path in S3Key, got %q.", dir)
		}
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return codeRef{}, invalidParam("Hot reload directory %s does not exist.", dir)
		}
		return codeRef{HotReload: filepath.Clean(dir), Sha256: "hot-reloading-hash-not-available"}, nil
	}
	data := c.ZipFile
	switch {
	case len(data) > 0 && c.S3Bucket != "":
		return codeRef{}, invalidParam("Please do not provide other FunctionCode parameters when providing a ZipFile.")
	case len(data) > 0:
	case c.S3Bucket != "" && c.S3Key != "":
		if s.cfg.Code == nil {
			return codeRef{}, invalidParam("Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist")
		}
		b, err := s.cfg.Code.GetObject(ctx, account, region, c.S3Bucket, c.S3Key, c.S3ObjectVersion)
		if err != nil {
			var ae *edge.Error
			code := "NoSuchKey"
			msg := "The specified key does not exist."
			if errors.As(err, &ae) {
				code, msg = ae.Code, ae.Message
			}
			return codeRef{}, invalidParam("Error occurred while GetObject. S3 Error Code: %s. S3 Error Message: %s", code, msg)
		}
		data = b
	default:
		return codeRef{}, invalidParam("Please provide a source for function code.")
	}
	ref, err := checkZip(data)
	if err != nil {
		return codeRef{}, err
	}
	if !dryRun {
		if err := s.blobs.put(ref.Hex, data); err != nil {
			return codeRef{}, err
		}
	}
	return ref, nil
}

// resolveLayers checks layer version ARNs and returns them with their sizes.
func (s *Service) resolveLayers(tx store.Tx, arns []string) ([]layerRef, error) {
	if len(arns) > 5 {
		return nil, invalidParam("Cannot reference more than 5 layers.")
	}
	var out []layerRef
	for _, a := range arns {
		ref, ok := ParseLayerVersionARN(a)
		if !ok {
			return nil, edge.Validation("1 validation error detected: Value '[%s]' at 'layers' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+, Member must not be null]", a)
		}
		lv, err := loadLayerVersion(tx, ref)
		if err != nil {
			return nil, err
		}
		if lv == nil {
			return nil, invalidParam("Layer version %s does not exist.", a)
		}
		out = append(out, layerRef{Arn: a, CodeSize: lv.Code.Size})
	}
	return out, nil
}

// CreateFunction creates a function from a zip package.
func (s *Service) createFunction(ctx context.Context, in *createFunctionInput) (*functionConfiguration, error) {
	m := edge.MetaFrom(ctx)
	if in.FunctionName == "" {
		return nil, edge.MissingMember("functionName")
	}
	ref, err := ParseFunctionRef(in.FunctionName, m.Account, m.Region)
	if err != nil {
		return nil, err
	}
	if ref.Qualifier != "" {
		return nil, invalidParam("Unsupported function name: %s", in.FunctionName)
	}
	if in.Role == "" {
		return nil, edge.MissingMember("role")
	}
	if err := validateRole(in.Role); err != nil {
		return nil, err
	}
	if in.Code == nil {
		return nil, edge.MissingMember("code")
	}
	if in.PackageType != "" && in.PackageType != "Zip" {
		if in.PackageType != "Image" {
			return nil, edge.Validation("1 validation error detected: Value '%s' at 'packageType' failed to satisfy constraint: Member must satisfy enum value set: [Image, Zip]", in.PackageType)
		}
		return nil, invalidParam("Container image functions (PackageType Image) are not supported; use Zip.")
	}
	if in.Runtime == "" || in.Handler == "" {
		return nil, invalidParam("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	if err := validateRuntime(in.Runtime); err != nil {
		return nil, err
	}
	if err := validateHandler(in.Handler); err != nil {
		return nil, err
	}
	v := &version{
		Version: "$LATEST", Runtime: in.Runtime, Role: in.Role, Handler: in.Handler, Description: in.Description,
		Timeout: 3, MemorySize: 128, Architectures: []string{"x86_64"}, EphemeralStorage: 512, TracingMode: "PassThrough",
		KMSKeyArn: in.KMSKeyArn, State: "Active", LastUpdateStatus: "Successful",
	}
	if err := validateDescription(in.Description); err != nil {
		return nil, err
	}
	if in.Timeout != nil {
		if err := validateTimeout(*in.Timeout); err != nil {
			return nil, err
		}
		v.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		if err := validateMemory(*in.MemorySize); err != nil {
			return nil, err
		}
		v.MemorySize = *in.MemorySize
	}
	if in.Environment != nil {
		if err := validateEnv(in.Environment.Variables); err != nil {
			return nil, err
		}
		v.Env = in.Environment.Variables
	}
	if len(in.Architectures) > 0 {
		if err := validateArchitectures(in.Architectures); err != nil {
			return nil, err
		}
		v.Architectures = in.Architectures
	}
	if err := applyMisc(v, in.DeadLetterConfig, in.TracingConfig, in.EphemeralStorage, in.LoggingConfig); err != nil {
		return nil, err
	}
	if len(in.Tags) > 50 {
		return nil, invalidParam("Number of tags exceeds resource tag limit.")
	}
	code, err := s.fetchCode(ctx, ref.Account, ref.Region, in.Code, false)
	if err != nil {
		return nil, err
	}
	v.Code = code
	now := s.clk.Now()
	v.LastModified = now
	v.RevisionID = edge.NewUUID()
	fn := &function{Name: ref.Name, Latest: v, Tags: in.Tags}
	var out *version
	err = s.st.Update(func(tx store.Tx) error {
		if tx.Bucket(fnBucket(ref.Account, ref.Region)).Get([]byte(ref.Name)) != nil {
			return edge.NewError(http.StatusConflict, "ResourceConflictException", "Function already exist: "+ref.Name)
		}
		layers, err := s.resolveLayers(tx, in.Layers)
		if err != nil {
			return err
		}
		v.Layers = layers
		out = v
		if in.Publish {
			if out, err = fn.publish(now, nil, "", ""); err != nil {
				return err
			}
		}
		return saveFunction(tx, ref.Account, ref.Region, fn)
	})
	if err != nil {
		return nil, err
	}
	return out.configuration(ref.Account, ref.Region, ref.Name), nil
}

func applyMisc(v *version, dlq *deadLetterConfig, tr *tracingConfig, es *ephemeralStorage, lc *loggingConfig) error {
	if dlq != nil {
		v.DeadLetterTarget = dlq.TargetArn
	}
	if tr != nil && tr.Mode != "" {
		if tr.Mode != "Active" && tr.Mode != "PassThrough" {
			return edge.Validation("1 validation error detected: Value '%s' at 'tracingConfig.mode' failed to satisfy constraint: Member must satisfy enum value set: [Active, PassThrough]", tr.Mode)
		}
		v.TracingMode = tr.Mode
	}
	if es != nil {
		if es.Size < 512 || es.Size > 10240 {
			return edge.Validation("1 validation error detected: Value '%d' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value between 512 and 10240", es.Size)
		}
		v.EphemeralStorage = es.Size
	}
	if lc != nil {
		if lc.LogFormat != "" && lc.LogFormat != "JSON" && lc.LogFormat != "Text" {
			return edge.Validation("1 validation error detected: Value '%s' at 'loggingConfig.logFormat' failed to satisfy constraint: Member must satisfy enum value set: [JSON, Text]", lc.LogFormat)
		}
		v.Logging = *lc
	}
	return nil
}

// publish makes a version from $LATEST. Like AWS, it returns the newest
// version unchanged when $LATEST has not changed since it was published.
func (fn *function) publish(now time.Time, description *string, codeSha, revisionID string) (*version, error) {
	l := fn.Latest
	if codeSha != "" && codeSha != l.Code.Sha256 {
		return nil, invalidParam("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again with the current CodeSHA256.", codeSha, l.Code.Sha256)
	}
	if revisionID != "" && revisionID != l.RevisionID {
		return nil, preconditionFailed()
	}
	if fn.LastVersion > 0 {
		if last := fn.Versions[strconv.FormatInt(fn.LastVersion, 10)]; last != nil && sameContent(last, l) {
			return last, nil
		}
	}
	fn.LastVersion++
	nv := *l
	nv.Version = strconv.FormatInt(fn.LastVersion, 10)
	nv.LastModified = now
	nv.RevisionID = edge.NewUUID()
	if description != nil {
		nv.Description = *description
	}
	if fn.Versions == nil {
		fn.Versions = map[string]*version{}
	}
	fn.Versions[nv.Version] = &nv
	return &nv, nil
}

// sameContent compares code and configuration, ignoring identity fields.
func sameContent(a, b *version) bool {
	x, y := *a, *b
	for _, v := range []*version{&x, &y} {
		v.Version, v.RevisionID, v.Description = "", "", ""
		v.LastModified = time.Time{}
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return string(ja) == string(jb)
}

func preconditionFailed() *edge.Error {
	return edge.NewError(http.StatusPreconditionFailed, "PreconditionFailedException",
		"The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
}

type getFunctionOutput struct {
	Configuration *functionConfiguration `json:"Configuration"`
	Code          codeLocation           `json:"Code"`
	Tags          map[string]string      `json:"Tags,omitempty"`
	Concurrency   *concurrencyOut        `json:"Concurrency,omitempty"`
}

type codeLocation struct {
	RepositoryType string `json:"RepositoryType"`
	Location       string `json:"Location"`
}

type concurrencyOut struct {
	ReservedConcurrentExecutions int `json:"ReservedConcurrentExecutions"`
}

// codeURL is where GetFunction tells clients to download a package.
func codeURL(ctx context.Context, c codeRef) string {
	host := edge.MetaFrom(ctx).Host
	if host == "" {
		host = "localhost:4566"
	}
	if c.HotReload != "" {
		return "file://" + c.HotReload
	}
	return "http://" + host + "/_tenkai/lambda/code/" + c.Hex + ".zip"
}

func (s *Service) ref(ctx context.Context, name, qualifier string) (FuncRef, error) {
	m := edge.MetaFrom(ctx)
	ref, err := ParseFunctionRef(name, m.Account, m.Region)
	if err != nil {
		return ref, err
	}
	return ref.withQualifier(qualifier)
}

func (s *Service) getFunction(ctx context.Context, name, qualifier string) (*getFunctionOutput, error) {
	ref, err := s.ref(ctx, name, qualifier)
	if err != nil {
		return nil, err
	}
	fn, err := s.view(ref)
	if err != nil {
		return nil, err
	}
	v, err := fn.resolveVersion(ref)
	if err != nil {
		return nil, err
	}
	cfg := v.configuration(ref.Account, ref.Region, fn.Name)
	if fn.Aliases[ref.Qualifier] != nil {
		cfg.FunctionArn = ref.ARN() // read through an alias: the alias ARN, the version it points to
	}
	out := &getFunctionOutput{
		Configuration: cfg,
		Code:          codeLocation{RepositoryType: "S3", Location: codeURL(ctx, v.Code)},
	}
	if ref.Qualifier == "" || ref.Qualifier == "$LATEST" {
		out.Tags = fn.Tags
	}
	if len(out.Tags) == 0 {
		out.Tags = nil
	}
	if fn.Reserved != nil {
		out.Concurrency = &concurrencyOut{ReservedConcurrentExecutions: *fn.Reserved}
	}
	return out, nil
}

func (s *Service) getFunctionConfiguration(ctx context.Context, name, qualifier string) (*functionConfiguration, error) {
	out, err := s.getFunction(ctx, name, qualifier)
	if err != nil {
		return nil, err
	}
	return out.Configuration, nil
}

// unqualified resolves a function name that must not carry a qualifier.
func (s *Service) unqualified(ctx context.Context, name string) (FuncRef, error) {
	ref, err := s.ref(ctx, name, "")
	if err == nil && ref.Qualifier != "" {
		err = invalidParam("Unsupported function name: %s", name)
	}
	return ref, err
}

func (s *Service) updateFunctionCode(ctx context.Context, in *updateCodeInput) (*functionConfiguration, error) {
	ref, err := s.unqualified(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	if _, err := s.view(ref); err != nil {
		return nil, err
	}
	if len(in.Architectures) > 0 {
		if err := validateArchitectures(in.Architectures); err != nil {
			return nil, err
		}
	}
	code, err := s.fetchCode(ctx, ref.Account, ref.Region, &in.functionCode, in.DryRun)
	if err != nil {
		return nil, err
	}
	var out *version
	fn, err := s.modify(ref, func(fn *function) error {
		if in.RevisionId != "" && in.RevisionId != fn.Latest.RevisionID {
			return preconditionFailed()
		}
		l := *fn.Latest
		l.Code = code
		if len(in.Architectures) > 0 {
			l.Architectures = in.Architectures
		}
		if in.DryRun {
			out = &l
			return errDryRun
		}
		l.LastModified = s.clk.Now()
		l.RevisionID = edge.NewUUID()
		fn.Latest, out = &l, &l
		if in.Publish {
			var err error
			if out, err = fn.publish(l.LastModified, nil, "", ""); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return out.configuration(ref.Account, ref.Region, ref.Name), nil
	}
	if err != nil {
		return nil, err
	}
	s.retire(ref, fn)
	return out.configuration(ref.Account, ref.Region, ref.Name), nil
}

var errDryRun = errors.New("lambda: dry run")

func (s *Service) updateFunctionConfiguration(ctx context.Context, in *updateConfigInput) (*functionConfiguration, error) {
	ref, err := s.unqualified(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	var out *version
	var updated *function
	err = s.st.Update(func(tx store.Tx) error {
		fn, err := loadFunction(tx, ref)
		if err != nil {
			return err
		}
		if in.RevisionId != "" && in.RevisionId != fn.Latest.RevisionID {
			return preconditionFailed()
		}
		l := *fn.Latest
		if in.Role != nil {
			if err := validateRole(*in.Role); err != nil {
				return err
			}
			l.Role = *in.Role
		}
		if in.Runtime != nil {
			if err := validateRuntime(*in.Runtime); err != nil {
				return err
			}
			l.Runtime = *in.Runtime
		}
		if in.Handler != nil {
			if err := validateHandler(*in.Handler); err != nil {
				return err
			}
			l.Handler = *in.Handler
		}
		if in.Description != nil {
			if err := validateDescription(*in.Description); err != nil {
				return err
			}
			l.Description = *in.Description
		}
		if in.Timeout != nil {
			if err := validateTimeout(*in.Timeout); err != nil {
				return err
			}
			l.Timeout = *in.Timeout
		}
		if in.MemorySize != nil {
			if err := validateMemory(*in.MemorySize); err != nil {
				return err
			}
			l.MemorySize = *in.MemorySize
		}
		if in.Environment != nil {
			if err := validateEnv(in.Environment.Variables); err != nil {
				return err
			}
			l.Env = in.Environment.Variables
		}
		if in.KMSKeyArn != nil {
			l.KMSKeyArn = *in.KMSKeyArn
		}
		if in.Layers != nil {
			layers, err := s.resolveLayers(tx, *in.Layers)
			if err != nil {
				return err
			}
			l.Layers = layers
		}
		if err := applyMisc(&l, in.DeadLetterConfig, in.TracingConfig, in.EphemeralStorage, in.LoggingConfig); err != nil {
			return err
		}
		l.LastModified = s.clk.Now()
		l.RevisionID = edge.NewUUID()
		fn.Latest, out = &l, &l
		updated = fn
		return saveFunction(tx, ref.Account, ref.Region, fn)
	})
	if err != nil {
		return nil, err
	}
	s.retire(ref, updated)
	return out.configuration(ref.Account, ref.Region, ref.Name), nil
}

// retire stops warm environments of a function that no longer match $LATEST.
func (s *Service) retire(ref FuncRef, fn *function) {
	if s.exec != nil {
		s.exec.Retire(ref.Account, ref.Region, fn.Name, specKey(fn.Latest, ""))
	}
}

func (s *Service) deleteFunction(ctx context.Context, name, qualifier string) error {
	ref, err := s.ref(ctx, name, qualifier)
	if err != nil {
		return err
	}
	if ref.Qualifier == "" {
		err := s.st.Update(func(tx store.Tx) error {
			if _, err := loadFunction(tx, ref); err != nil {
				return err
			}
			return tx.Bucket(fnBucket(ref.Account, ref.Region)).Delete([]byte(ref.Name))
		})
		if err != nil {
			return err
		}
		if s.exec != nil {
			s.exec.Retire(ref.Account, ref.Region, ref.Name, "")
		}
		return nil
	}
	if ref.Qualifier == "$LATEST" {
		return invalidParam("$LATEST version cannot be deleted without deleting the function.")
	}
	if !reVersion().MatchString(ref.Qualifier) {
		return invalidParam("Deletion of aliases is not currently supported.")
	}
	_, err = s.modify(ref, func(fn *function) error {
		if fn.Versions[ref.Qualifier] == nil {
			return notFound(ref)
		}
		var users []string
		for _, a := range fn.Aliases {
			if a.FunctionVersion == ref.Qualifier || a.Weights[ref.Qualifier] > 0 {
				users = append(users, a.Name)
			}
		}
		if len(users) > 0 {
			sort.Strings(users)
			return edge.NewError(http.StatusConflict, "ResourceConflictException",
				fmt.Sprintf("Unable to delete version because the following aliases reference it: %v", users))
		}
		delete(fn.Versions, ref.Qualifier)
		delete(fn.Policy, ref.Qualifier)
		delete(fn.EventConfigs, ref.Qualifier)
		return nil
	})
	return err
}

type listFunctionsOutput struct {
	Functions  []*functionConfiguration `json:"Functions"`
	NextMarker string                   `json:"NextMarker,omitempty"`
}

func pageBounds(marker string, maxItems, total int) (start, end int, next string, err error) {
	if marker != "" {
		n, perr := strconv.Atoi(marker)
		if perr != nil || n < 0 || n > total {
			return 0, 0, "", invalidParam("Invalid marker: %s", marker)
		}
		start = n
	}
	end = start + maxItems
	if end < total {
		next = strconv.Itoa(end)
	} else {
		end = total
	}
	return start, end, next, nil
}

func maxItemsParam(s string, def, max int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, edge.Validation("1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to %d and greater than or equal to 1", s, max)
	}
	return n, nil
}

func (s *Service) listFunctions(ctx context.Context, marker, maxItems, fnVersion string) (*listFunctionsOutput, error) {
	m := edge.MetaFrom(ctx)
	max, err := maxItemsParam(maxItems, 50, 10000)
	if err != nil {
		return nil, err
	}
	if fnVersion != "" && fnVersion != "ALL" {
		return nil, edge.Validation("1 validation error detected: Value '%s' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]", fnVersion)
	}
	var all []*functionConfiguration
	err = s.st.View(func(tx store.Tx) error {
		var derr error
		tx.Bucket(fnBucket(m.Account, m.Region)).Scan(nil, nil, false, func(k, v []byte) bool {
			var fn function
			if derr = json.Unmarshal(v, &fn); derr != nil {
				return false
			}
			all = append(all, fn.Latest.configuration(m.Account, m.Region, fn.Name))
			if fnVersion == "ALL" {
				for _, pv := range fn.sortedVersions() {
					all = append(all, pv.configuration(m.Account, m.Region, fn.Name))
				}
			}
			return true
		})
		return derr
	})
	if err != nil {
		return nil, err
	}
	start, end, next, err := pageBounds(marker, max, len(all))
	if err != nil {
		return nil, err
	}
	return &listFunctionsOutput{Functions: nonNil(all[start:end]), NextMarker: next}, nil
}

func nonNil[T any](x []T) []T {
	if x == nil {
		return []T{}
	}
	return x
}

func (fn *function) sortedVersions() []*version {
	out := make([]*version, 0, len(fn.Versions))
	for _, v := range fn.Versions {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := strconv.ParseInt(out[i].Version, 10, 64)
		b, _ := strconv.ParseInt(out[j].Version, 10, 64)
		return a < b
	})
	return out
}

type publishVersionInput struct {
	CodeSha256  string  `json:"CodeSha256"`
	Description *string `json:"Description"`
	RevisionId  string  `json:"RevisionId"`
}

func (s *Service) publishVersion(ctx context.Context, name string, in *publishVersionInput) (*functionConfiguration, error) {
	ref, err := s.unqualified(ctx, name)
	if err != nil {
		return nil, err
	}
	if in.Description != nil {
		if err := validateDescription(*in.Description); err != nil {
			return nil, err
		}
	}
	var out *version
	_, err = s.modify(ref, func(fn *function) error {
		var err error
		out, err = fn.publish(s.clk.Now(), in.Description, in.CodeSha256, in.RevisionId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.configuration(ref.Account, ref.Region, ref.Name), nil
}

type listVersionsOutput struct {
	Versions   []*functionConfiguration `json:"Versions"`
	NextMarker string                   `json:"NextMarker,omitempty"`
}

func (s *Service) listVersions(ctx context.Context, name, marker, maxItems string) (*listVersionsOutput, error) {
	ref, err := s.unqualified(ctx, name)
	if err != nil {
		return nil, err
	}
	max, err := maxItemsParam(maxItems, 50, 10000)
	if err != nil {
		return nil, err
	}
	fn, err := s.view(ref)
	if err != nil {
		return nil, err
	}
	all := []*functionConfiguration{fn.Latest.configuration(ref.Account, ref.Region, fn.Name)}
	for _, v := range fn.sortedVersions() {
		all = append(all, v.configuration(ref.Account, ref.Region, fn.Name))
	}
	start, end, next, err := pageBounds(marker, max, len(all))
	if err != nil {
		return nil, err
	}
	return &listVersionsOutput{Versions: all[start:end], NextMarker: next}, nil
}
