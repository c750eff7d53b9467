package codedeploy

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// application is a stored application.
type application struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
	Platform string    `json:"platform"`
}

func (a *application) info() applicationInfo {
	return applicationInfo{ApplicationID: a.ID, ApplicationName: a.Name, CreateTime: edge.Epoch(a.Created), ComputePlatform: a.Platform}
}

func appNotFound(name string) *edge.Error {
	return edge.Errorf("ApplicationDoesNotExistException", "No application found for name: %s", name)
}

func checkAppName(name string) error {
	if name == "" {
		return edge.Errorf("ApplicationNameRequiredException", "Application name is required")
	}
	if len(name) > 100 {
		return edge.Errorf("InvalidApplicationNameException", "Application name %s is invalid: it must be at most 100 characters", name)
	}
	return nil
}

func checkPlatform(p string) error {
	switch p {
	case platformServer, platformLambda, platformECS:
		return nil
	}
	return edge.Errorf("InvalidComputePlatformException", "Compute platform %s is invalid; valid values are Server, Lambda and ECS", p)
}

type createApplicationInput struct {
	ApplicationName string `json:"applicationName"`
	ComputePlatform string `json:"computePlatform"`
	Tags            []tag  `json:"tags"`
}

type createApplicationOutput struct {
	ApplicationID string `json:"applicationId"`
}

func (s *Service) createApplication(ctx context.Context, in *createApplicationInput) (*createApplicationOutput, error) {
	m := edge.MetaFrom(ctx)
	if err := checkAppName(in.ApplicationName); err != nil {
		return nil, err
	}
	if in.ComputePlatform == "" {
		in.ComputePlatform = platformServer
	}
	if err := checkPlatform(in.ComputePlatform); err != nil {
		return nil, err
	}
	app := &application{ID: edge.NewUUID(), Name: in.ApplicationName, Created: s.clk.Now(), Platform: in.ComputePlatform}
	err := s.st.Update(func(tx store.Tx) error {
		b := bucket(bucketApps, m.Account, m.Region)
		if tx.Bucket(b).Get([]byte(app.Name)) != nil {
			return edge.Errorf("ApplicationAlreadyExistsException", "The application %s already exists with the IAM user or AWS account.", app.Name)
		}
		if len(in.Tags) > 0 {
			if err := putJSON(tx, bucket(bucketTags, m.Account, m.Region), arnApplication(m.Account, m.Region, app.Name), in.Tags); err != nil {
				return err
			}
		}
		return putJSON(tx, b, app.Name, app)
	})
	if err != nil {
		return nil, err
	}
	return &createApplicationOutput{ApplicationID: app.ID}, nil
}

func (s *Service) loadApp(tx store.Tx, account, region, name string) (*application, error) {
	if err := checkAppName(name); err != nil {
		return nil, err
	}
	var app application
	if !getJSON(tx, bucket(bucketApps, account, region), name, &app) {
		return nil, appNotFound(name)
	}
	return &app, nil
}

type appNameInput struct {
	ApplicationName string `json:"applicationName"`
}

type getApplicationOutput struct {
	Application applicationInfo `json:"application"`
}

func (s *Service) getApplication(ctx context.Context, in *appNameInput) (*getApplicationOutput, error) {
	m := edge.MetaFrom(ctx)
	var out getApplicationOutput
	err := s.st.View(func(tx store.Tx) error {
		app, err := s.loadApp(tx, m.Account, m.Region, in.ApplicationName)
		if err == nil {
			out.Application = app.info()
		}
		return err
	})
	return &out, err
}

type batchGetApplicationsInput struct {
	ApplicationNames []string `json:"applicationNames"`
}

type batchGetApplicationsOutput struct {
	ApplicationsInfo []applicationInfo `json:"applicationsInfo"`
}

func (s *Service) batchGetApplications(ctx context.Context, in *batchGetApplicationsInput) (*batchGetApplicationsOutput, error) {
	m := edge.MetaFrom(ctx)
	if len(in.ApplicationNames) > 100 {
		return nil, edge.Errorf("BatchLimitExceededException", "The maximum number of names or IDs allowed for this request (100) was exceeded.")
	}
	out := &batchGetApplicationsOutput{ApplicationsInfo: []applicationInfo{}}
	err := s.st.View(func(tx store.Tx) error {
		for _, n := range in.ApplicationNames {
			app, err := s.loadApp(tx, m.Account, m.Region, n)
			if err != nil {
				return err
			}
			out.ApplicationsInfo = append(out.ApplicationsInfo, app.info())
		}
		return nil
	})
	return out, err
}

type listInput struct {
	NextToken string `json:"nextToken"`
}

type listApplicationsOutput struct {
	Applications []string `json:"applications"`
	NextToken    string   `json:"nextToken,omitempty"`
}

// pageSize is how many names a List call returns at most.
const pageSize = 100

// page cuts names at the offset a nextToken encodes.
func page(names []string, token string) ([]string, string, error) {
	start, end, next, err := pageBounds(len(names), token)
	if err != nil {
		return nil, "", err
	}
	return names[start:end], next, nil
}

// pageBounds returns the slice of n items a nextToken asks for and the
// token of the page after it ("" on the last page).
func pageBounds(n int, token string) (start, end int, next string, err error) {
	if token != "" {
		v, err := strconv.Atoi(token)
		if err != nil || v < 0 || v > n {
			return 0, 0, "", edge.Errorf("InvalidNextTokenException", "The next token was specified in an invalid format.")
		}
		start = v
	}
	end = min(start+pageSize, n)
	if end < n {
		next = strconv.Itoa(end)
	}
	return start, end, next, nil
}

func (s *Service) listApplications(ctx context.Context, in *listInput) (*listApplicationsOutput, error) {
	m := edge.MetaFrom(ctx)
	var names []string
	_ = s.st.View(func(tx store.Tx) error {
		tx.Bucket(bucket(bucketApps, m.Account, m.Region)).Scan(nil, nil, false, func(k, v []byte) bool {
			names = append(names, string(k))
			return true
		})
		return nil
	})
	p, next, err := page(names, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &listApplicationsOutput{Applications: append([]string{}, p...), NextToken: next}, nil
}

type updateApplicationInput struct {
	ApplicationName    string `json:"applicationName"`
	NewApplicationName string `json:"newApplicationName"`
}

func (s *Service) updateApplication(ctx context.Context, in *updateApplicationInput) (*struct{}, error) {
	m := edge.MetaFrom(ctx)
	if in.NewApplicationName == "" || in.NewApplicationName == in.ApplicationName {
		return &struct{}{}, s.st.View(func(tx store.Tx) error {
			_, err := s.loadApp(tx, m.Account, m.Region, in.ApplicationName)
			return err
		})
	}
	if err := checkAppName(in.NewApplicationName); err != nil {
		return nil, err
	}
	return &struct{}{}, s.st.Update(func(tx store.Tx) error {
		app, err := s.loadApp(tx, m.Account, m.Region, in.ApplicationName)
		if err != nil {
			return err
		}
		b := bucket(bucketApps, m.Account, m.Region)
		if tx.Bucket(b).Get([]byte(in.NewApplicationName)) != nil {
			return edge.Errorf("ApplicationAlreadyExistsException", "The application %s already exists with the IAM user or AWS account.", in.NewApplicationName)
		}
		_ = tx.Bucket(b).Delete([]byte(app.Name))
		app.Name = in.NewApplicationName
		if err := putJSON(tx, b, app.Name, app); err != nil {
			return err
		}
		// The application's groups move with it.
		gb := bucket(bucketGroups, m.Account, m.Region)
		prefix := []byte(in.ApplicationName + "\x00")
		var moved []deploymentGroupInfo
		tx.Bucket(gb).Scan(prefix, store.PrefixEnd(prefix), false, func(k, v []byte) bool {
			var g deploymentGroupInfo
			if json.Unmarshal(v, &g) == nil {
				moved = append(moved, g)
			}
			return true
		})
		for _, g := range moved {
			_ = tx.Bucket(gb).Delete([]byte(groupKey(in.ApplicationName, g.DeploymentGroupName)))
			g.ApplicationName = app.Name
			if err := putJSON(tx, gb, groupKey(app.Name, g.DeploymentGroupName), g); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Service) deleteApplication(ctx context.Context, in *appNameInput) (*struct{}, error) {
	m := edge.MetaFrom(ctx)
	if err := checkAppName(in.ApplicationName); err != nil {
		return nil, err
	}
	return &struct{}{}, s.st.Update(func(tx store.Tx) error {
		_ = tx.Bucket(bucket(bucketApps, m.Account, m.Region)).Delete([]byte(in.ApplicationName))
		gb := tx.Bucket(bucket(bucketGroups, m.Account, m.Region))
		prefix := []byte(in.ApplicationName + "\x00")
		var keys [][]byte
		gb.Scan(prefix, store.PrefixEnd(prefix), false, func(k, v []byte) bool {
			keys = append(keys, append([]byte(nil), k...))
			return true
		})
		for _, k := range keys {
			_ = gb.Delete(k)
		}
		rb := tx.Bucket(bucket(bucketRevisions, m.Account, m.Region))
		keys = keys[:0]
		rb.Scan(prefix, store.PrefixEnd(prefix), false, func(k, v []byte) bool {
			keys = append(keys, append([]byte(nil), k...))
			return true
		})
		for _, k := range keys {
			_ = rb.Delete(k)
		}
		return nil
	})
}

// --- tags ---

type tagResourceInput struct {
	ResourceArn string `json:"ResourceArn"`
	Tags        []tag  `json:"Tags"`
}

type untagResourceInput struct {
	ResourceArn string   `json:"ResourceArn"`
	TagKeys     []string `json:"TagKeys"`
}

type listTagsInput struct {
	ResourceArn string `json:"ResourceArn"`
	NextToken   string `json:"NextToken"`
}

type listTagsOutput struct {
	Tags      []tag  `json:"Tags"`
	NextToken string `json:"NextToken,omitempty"`
}

// checkARN verifies that a CodeDeploy ARN names an existing resource.
func (s *Service) checkARN(tx store.Tx, account, region, arn string) error {
	if arn == "" {
		return edge.Errorf("ResourceArnRequiredException", "The ARN of a resource is required, but was not found.")
	}
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[2] != "codedeploy" {
		return edge.Errorf("InvalidArnException", "The specified ARN is not in a valid format.")
	}
	switch parts[5] {
	case "application":
		if tx.Bucket(bucket(bucketApps, account, region)).Get([]byte(parts[6])) == nil {
			return edge.Errorf("ApplicationDoesNotExistException", "No application found for name: %s", parts[6])
		}
	case "deploymentgroup":
		app, grp, _ := strings.Cut(parts[6], "/")
		if tx.Bucket(bucket(bucketGroups, account, region)).Get([]byte(groupKey(app, grp))) == nil {
			return edge.Errorf("DeploymentGroupDoesNotExistException", "No Deployment Group found for name: %s", grp)
		}
	case "deploymentconfig":
	default:
		return edge.Errorf("InvalidArnException", "The specified ARN is not in a valid format.")
	}
	return nil
}

func (s *Service) tagResource(ctx context.Context, in *tagResourceInput) (*struct{}, error) {
	m := edge.MetaFrom(ctx)
	if in.Tags == nil {
		return nil, edge.Errorf("TagRequiredException", "A tag was not specified.")
	}
	return &struct{}{}, s.st.Update(func(tx store.Tx) error {
		if err := s.checkARN(tx, m.Account, m.Region, in.ResourceArn); err != nil {
			return err
		}
		b := bucket(bucketTags, m.Account, m.Region)
		var cur []tag
		getJSON(tx, b, in.ResourceArn, &cur)
		for _, t := range in.Tags {
			replaced := false
			for i := range cur {
				if cur[i].Key == t.Key {
					cur[i].Value, replaced = t.Value, true
				}
			}
			if !replaced {
				cur = append(cur, t)
			}
		}
		return putJSON(tx, b, in.ResourceArn, cur)
	})
}

func (s *Service) untagResource(ctx context.Context, in *untagResourceInput) (*struct{}, error) {
	m := edge.MetaFrom(ctx)
	return &struct{}{}, s.st.Update(func(tx store.Tx) error {
		if err := s.checkARN(tx, m.Account, m.Region, in.ResourceArn); err != nil {
			return err
		}
		b := bucket(bucketTags, m.Account, m.Region)
		var cur, keep []tag
		getJSON(tx, b, in.ResourceArn, &cur)
		for _, t := range cur {
			drop := false
			for _, k := range in.TagKeys {
				drop = drop || k == t.Key
			}
			if !drop {
				keep = append(keep, t)
			}
		}
		return putJSON(tx, b, in.ResourceArn, keep)
	})
}

func (s *Service) listTagsForResource(ctx context.Context, in *listTagsInput) (*listTagsOutput, error) {
	m := edge.MetaFrom(ctx)
	out := &listTagsOutput{Tags: []tag{}}
	err := s.st.View(func(tx store.Tx) error {
		if err := s.checkARN(tx, m.Account, m.Region, in.ResourceArn); err != nil {
			return err
		}
		getJSON(tx, bucket(bucketTags, m.Account, m.Region), in.ResourceArn, &out.Tags)
		if out.Tags == nil {
			out.Tags = []tag{}
		}
		sort.Slice(out.Tags, func(i, j int) bool { return out.Tags[i].Key < out.Tags[j].Key })
		return nil
	})
	return out, err
}
