package codedeploy

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

const bucketRevisions = "codedeploy/revisions"

// revision is a registered application revision and its use.
type revision struct {
	Location    *revisionLocation `json:"location"`
	Description string            `json:"description,omitempty"`
	Groups      []string          `json:"groups,omitempty"`
	Registered  time.Time         `json:"registered"`
	FirstUsed   time.Time         `json:"firstUsed,omitzero"`
	LastUsed    time.Time         `json:"lastUsed,omitzero"`
}

type genericRevisionInfo struct {
	Description      string      `json:"description,omitempty"`
	DeploymentGroups []string    `json:"deploymentGroups"`
	FirstUsedTime    *edge.Epoch `json:"firstUsedTime,omitempty"`
	LastUsedTime     *edge.Epoch `json:"lastUsedTime,omitempty"`
	RegisterTime     edge.Epoch  `json:"registerTime"`
}

func (r *revision) info() *genericRevisionInfo {
	g := &genericRevisionInfo{Description: r.Description, DeploymentGroups: r.Groups, FirstUsedTime: epochPtr(r.FirstUsed),
		LastUsedTime: epochPtr(r.LastUsed), RegisterTime: epoch(r.Registered)}
	if g.DeploymentGroups == nil {
		g.DeploymentGroups = []string{}
	}
	return g
}

// revisionKey identifies a revision within an application: its location
// without the members that do not name it.
func revisionKey(app string, loc *revisionLocation) (string, error) {
	if loc == nil {
		return "", edge.Errorf("RevisionRequiredException", "Revision is required.")
	}
	var id string
	switch loc.RevisionType {
	case "S3":
		if loc.S3Location == nil || loc.S3Location.Bucket == "" || loc.S3Location.Key == "" {
			return "", edge.Errorf("InvalidRevisionException", "An S3 revision needs a bucket and a key.")
		}
		l := loc.S3Location
		id = "S3\x00" + l.Bucket + "\x00" + l.Key + "\x00" + l.Version + "\x00" + l.ETag + "\x00" + l.BundleType
	case "AppSpecContent", "String":
		c := loc.AppSpecContent
		if loc.RevisionType == "String" {
			c = loc.String
		}
		if c == nil || c.Content == "" {
			return "", edge.Errorf("InvalidRevisionException", "The revision content is missing.")
		}
		id = loc.RevisionType + "\x00" + c.Content
	case "GitHub":
		raw, _ := json.Marshal(loc.GitHubLocation)
		id = "GitHub\x00" + string(raw)
	default:
		return "", edge.Errorf("InvalidRevisionException", "Revision type %s is not supported.", loc.RevisionType)
	}
	return app + "\x00" + id, nil
}

// useRevision records that a deployment of group used loc.
func useRevision(tx store.Tx, account, region, app, group string, loc *revisionLocation, now time.Time) error {
	key, err := revisionKey(app, loc)
	if err != nil {
		return nil // revisions a deployment cannot name are not listed
	}
	b := bucket(bucketRevisions, account, region)
	var r revision
	if !getJSON(tx, b, key, &r) {
		r = revision{Location: loc, Registered: now}
	}
	if r.FirstUsed.IsZero() {
		r.FirstUsed = now
	}
	r.LastUsed = now
	found := false
	for _, g := range r.Groups {
		found = found || g == group
	}
	if !found {
		r.Groups = append(r.Groups, group)
	}
	return putJSON(tx, b, key, &r)
}

type registerRevisionInput struct {
	ApplicationName string            `json:"applicationName"`
	Description     string            `json:"description"`
	Revision        *revisionLocation `json:"revision"`
}

func (s *Service) registerApplicationRevision(ctx context.Context, in *registerRevisionInput) (*struct{}, error) {
	m := edge.MetaFrom(ctx)
	if len(in.Description) > 1000 {
		return nil, edge.Errorf("DescriptionTooLongException", "The description is too long.")
	}
	return &struct{}{}, s.st.Update(func(tx store.Tx) error {
		if _, err := s.loadApp(tx, m.Account, m.Region, in.ApplicationName); err != nil {
			return err
		}
		key, err := revisionKey(in.ApplicationName, in.Revision)
		if err != nil {
			return err
		}
		b := bucket(bucketRevisions, m.Account, m.Region)
		var r revision
		if !getJSON(tx, b, key, &r) {
			r = revision{Location: in.Revision}
		}
		r.Description = in.Description
		r.Registered = s.clk.Now()
		return putJSON(tx, b, key, &r)
	})
}

type getRevisionInput struct {
	ApplicationName string            `json:"applicationName"`
	Revision        *revisionLocation `json:"revision"`
}

type getRevisionOutput struct {
	ApplicationName string               `json:"applicationName"`
	Revision        *revisionLocation    `json:"revision"`
	RevisionInfo    *genericRevisionInfo `json:"revisionInfo"`
}

func (s *Service) getApplicationRevision(ctx context.Context, in *getRevisionInput) (*getRevisionOutput, error) {
	m := edge.MetaFrom(ctx)
	out := &getRevisionOutput{ApplicationName: in.ApplicationName, Revision: in.Revision}
	err := s.st.View(func(tx store.Tx) error {
		if _, err := s.loadApp(tx, m.Account, m.Region, in.ApplicationName); err != nil {
			return err
		}
		key, err := revisionKey(in.ApplicationName, in.Revision)
		if err != nil {
			return err
		}
		var r revision
		if !getJSON(tx, bucket(bucketRevisions, m.Account, m.Region), key, &r) {
			return edge.Errorf("RevisionDoesNotExistException", "No application revision found for revision.")
		}
		out.Revision, out.RevisionInfo = r.Location, r.info()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type batchGetRevisionsInput struct {
	ApplicationName string              `json:"applicationName"`
	Revisions       []*revisionLocation `json:"revisions"`
}

type revisionInfo struct {
	RevisionLocation    *revisionLocation    `json:"revisionLocation"`
	GenericRevisionInfo *genericRevisionInfo `json:"genericRevisionInfo,omitempty"`
}

type batchGetRevisionsOutput struct {
	ApplicationName string          `json:"applicationName"`
	ErrorMessage    string          `json:"errorMessage,omitempty"`
	Revisions       []*revisionInfo `json:"revisions"`
}

func (s *Service) batchGetApplicationRevisions(ctx context.Context, in *batchGetRevisionsInput) (*batchGetRevisionsOutput, error) {
	m := edge.MetaFrom(ctx)
	if len(in.Revisions) == 0 {
		return nil, edge.Errorf("RevisionRequiredException", "Revision is required.")
	}
	if len(in.Revisions) > 25 {
		return nil, edge.Errorf("BatchLimitExceededException", "The maximum number of names or IDs allowed for this request (25) was exceeded.")
	}
	out := &batchGetRevisionsOutput{ApplicationName: in.ApplicationName, Revisions: []*revisionInfo{}}
	err := s.st.View(func(tx store.Tx) error {
		if _, err := s.loadApp(tx, m.Account, m.Region, in.ApplicationName); err != nil {
			return err
		}
		for _, loc := range in.Revisions {
			key, err := revisionKey(in.ApplicationName, loc)
			if err != nil {
				return err
			}
			ri := &revisionInfo{RevisionLocation: loc}
			var r revision
			if getJSON(tx, bucket(bucketRevisions, m.Account, m.Region), key, &r) {
				ri.GenericRevisionInfo = r.info()
			}
			out.Revisions = append(out.Revisions, ri)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type listRevisionsInput struct {
	ApplicationName string `json:"applicationName"`
	SortBy          string `json:"sortBy"`
	SortOrder       string `json:"sortOrder"`
	S3Bucket        string `json:"s3Bucket"`
	S3KeyPrefix     string `json:"s3KeyPrefix"`
	Deployed        string `json:"deployed"`
	NextToken       string `json:"nextToken"`
}

type listRevisionsOutput struct {
	Revisions []*revisionLocation `json:"revisions"`
	NextToken string              `json:"nextToken,omitempty"`
}

func (s *Service) listApplicationRevisions(ctx context.Context, in *listRevisionsInput) (*listRevisionsOutput, error) {
	m := edge.MetaFrom(ctx)
	switch in.SortBy {
	case "", "registerTime", "firstUsedTime", "lastUsedTime":
	default:
		return nil, edge.Errorf("InvalidSortByException", "The column name to sort by is either not present or was specified in an invalid format.")
	}
	switch in.SortOrder {
	case "", "ascending", "descending":
	default:
		return nil, edge.Errorf("InvalidSortOrderException", "The sort order was specified in an invalid format.")
	}
	switch in.Deployed {
	case "", "include", "exclude", "ignore":
	default:
		return nil, edge.Errorf("InvalidDeployedStateFilterException", "The deployed state filter was specified in an invalid format.")
	}
	if in.S3KeyPrefix != "" && in.S3Bucket == "" {
		return nil, edge.Errorf("BucketNameFilterRequiredException", "A bucket name is required, but was not provided.")
	}
	var list []revision
	err := s.st.View(func(tx store.Tx) error {
		if _, err := s.loadApp(tx, m.Account, m.Region, in.ApplicationName); err != nil {
			return err
		}
		prefix := []byte(in.ApplicationName + "\x00")
		tx.Bucket(bucket(bucketRevisions, m.Account, m.Region)).Scan(prefix, store.PrefixEnd(prefix), false, func(k, v []byte) bool {
			var r revision
			if json.Unmarshal(v, &r) != nil {
				return true
			}
			if in.S3Bucket != "" {
				l := r.Location.S3Location
				if l == nil || l.Bucket != in.S3Bucket || !strings.HasPrefix(l.Key, in.S3KeyPrefix) {
					return true
				}
			}
			used := !r.LastUsed.IsZero()
			if in.Deployed == "include" && !used || in.Deployed == "exclude" && used {
				return true
			}
			list = append(list, r)
			return true
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	at := func(r revision) time.Time {
		switch in.SortBy {
		case "firstUsedTime":
			return r.FirstUsed
		case "lastUsedTime":
			return r.LastUsed
		}
		return r.Registered
	}
	if in.SortBy != "" {
		sort.SliceStable(list, func(i, j int) bool {
			if in.SortOrder == "descending" {
				return at(list[i]).After(at(list[j]))
			}
			return at(list[i]).Before(at(list[j]))
		})
	}
	start, end, next, err := pageBounds(len(list), in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &listRevisionsOutput{Revisions: []*revisionLocation{}, NextToken: next}
	for _, r := range list[start:end] {
		out.Revisions = append(out.Revisions, r.Location)
	}
	return out, nil
}
