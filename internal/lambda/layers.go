package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

type publishLayerInput struct {
	Description             string        `json:"Description"`
	Content                 *functionCode `json:"Content"`
	CompatibleRuntimes      []string      `json:"CompatibleRuntimes"`
	LicenseInfo             string        `json:"LicenseInfo"`
	CompatibleArchitectures []string      `json:"CompatibleArchitectures"`
}

type layerContentOut struct {
	Location   string `json:"Location"`
	CodeSha256 string `json:"CodeSha256"`
	CodeSize   int64  `json:"CodeSize"`
}

type layerVersionOut struct {
	Content                 *layerContentOut `json:"Content,omitempty"`
	LayerArn                string           `json:"LayerArn,omitempty"`
	LayerVersionArn         string           `json:"LayerVersionArn"`
	Description             string           `json:"Description"`
	CreatedDate             string           `json:"CreatedDate"`
	Version                 int64            `json:"Version"`
	CompatibleRuntimes      []string         `json:"CompatibleRuntimes,omitempty"`
	LicenseInfo             string           `json:"LicenseInfo,omitempty"`
	CompatibleArchitectures []string         `json:"CompatibleArchitectures,omitempty"`
}

func (lv *layerVersion) out(ctx context.Context, account, region, name string, full bool) *layerVersionOut {
	arn := layerARN(account, region, name)
	o := &layerVersionOut{
		LayerVersionArn: arn + ":" + strconv.FormatInt(lv.Version, 10), Description: lv.Description,
		CreatedDate: formatTime(lv.Created), Version: lv.Version, CompatibleRuntimes: lv.CompatibleRuntimes,
		LicenseInfo: lv.LicenseInfo, CompatibleArchitectures: lv.CompatibleArchitectures,
	}
	if full {
		o.LayerArn = arn
		o.Content = &layerContentOut{Location: codeURL(ctx, lv.Code), CodeSha256: lv.Code.Sha256, CodeSize: lv.Code.Size}
	}
	return o
}

func loadLayer(tx store.Tx, account, region, name string) (*layer, error) {
	v := tx.Bucket(layerBucket(account, region)).Get([]byte(name))
	if v == nil {
		return nil, nil
	}
	var l layer
	if err := json.Unmarshal(v, &l); err != nil {
		return nil, fmt.Errorf("decode layer %s: %w", name, err)
	}
	return &l, nil
}

func loadLayerVersion(tx store.Tx, ref LayerVersionRef) (*layerVersion, error) {
	l, err := loadLayer(tx, ref.Account, ref.Region, ref.Name)
	if err != nil || l == nil {
		return nil, err
	}
	return l.Versions[ref.Version], nil
}

func layerNotFound() *edge.Error {
	return edge.NewError(http.StatusNotFound, "ResourceNotFoundException", "The resource you requested does not exist.")
}

func (s *Service) publishLayerVersion(ctx context.Context, name string, in *publishLayerInput) (*layerVersionOut, error) {
	m := edge.MetaFrom(ctx)
	acct, region, lname, err := parseLayerName(name, m.Account, m.Region)
	if err != nil {
		return nil, err
	}
	if in.Content == nil {
		return nil, edge.MissingMember("content")
	}
	if len(in.CompatibleRuntimes) > 15 {
		return nil, edge.Validation("1 validation error detected: Value at 'compatibleRuntimes' failed to satisfy constraint: Member must have length less than or equal to 15")
	}
	for _, r := range in.CompatibleRuntimes {
		if err := validateRuntime(r); err != nil {
			return nil, err
		}
	}
	if len(in.CompatibleArchitectures) > 2 {
		return nil, edge.Validation("1 validation error detected: Value at 'compatibleArchitectures' failed to satisfy constraint: Member must have length less than or equal to 2")
	}
	for _, a := range in.CompatibleArchitectures {
		if err := validateArchitectures([]string{a}); err != nil {
			return nil, err
		}
	}
	code, err := s.fetchCode(ctx, acct, region, in.Content, false)
	if err != nil {
		return nil, err
	}
	var out *layerVersionOut
	err = s.st.Update(func(tx store.Tx) error {
		l, err := loadLayer(tx, acct, region, lname)
		if err != nil {
			return err
		}
		if l == nil {
			l = &layer{Name: lname, Versions: map[int64]*layerVersion{}}
		}
		l.LastVersion++
		lv := &layerVersion{
			Version: l.LastVersion, Description: in.Description, Created: s.clk.Now(),
			CompatibleRuntimes: in.CompatibleRuntimes, CompatibleArchitectures: in.CompatibleArchitectures,
			LicenseInfo: in.LicenseInfo, Code: code,
		}
		l.Versions[lv.Version] = lv
		b, err := json.Marshal(l)
		if err != nil {
			return err
		}
		out = lv.out(ctx, acct, region, lname, true)
		return tx.Bucket(layerBucket(acct, region)).Put([]byte(lname), b)
	})
	return out, err
}

func (s *Service) getLayerVersion(ctx context.Context, ref LayerVersionRef) (*layerVersionOut, error) {
	var out *layerVersionOut
	err := s.st.View(func(tx store.Tx) error {
		lv, err := loadLayerVersion(tx, ref)
		if err != nil {
			return err
		}
		if lv == nil {
			return layerNotFound()
		}
		out = lv.out(ctx, ref.Account, ref.Region, ref.Name, true)
		return nil
	})
	return out, err
}

func (s *Service) layerRef(ctx context.Context, name, ver string) (LayerVersionRef, error) {
	m := edge.MetaFrom(ctx)
	acct, region, lname, err := parseLayerName(name, m.Account, m.Region)
	if err != nil {
		return LayerVersionRef{}, err
	}
	n, ok := parseVersionNumber(ver)
	if !ok {
		return LayerVersionRef{}, edge.Validation("1 validation error detected: Value '%s' at 'versionNumber' failed to satisfy constraint: Member must be a number", ver)
	}
	return LayerVersionRef{Account: acct, Region: region, Name: lname, Version: n}, nil
}

func (s *Service) deleteLayerVersion(ctx context.Context, ref LayerVersionRef) error {
	return s.st.Update(func(tx store.Tx) error {
		l, err := loadLayer(tx, ref.Account, ref.Region, ref.Name)
		if err != nil || l == nil || l.Versions[ref.Version] == nil {
			return err // deleting a missing version succeeds, as on AWS
		}
		delete(l.Versions, ref.Version)
		b, err := json.Marshal(l)
		if err != nil {
			return err
		}
		return tx.Bucket(layerBucket(ref.Account, ref.Region)).Put([]byte(ref.Name), b)
	})
}

func (lv *layerVersion) matches(runtime, arch string) bool {
	if runtime != "" && !slices.Contains(lv.CompatibleRuntimes, runtime) {
		return false
	}
	if arch != "" && !slices.Contains(lv.CompatibleArchitectures, arch) {
		return false
	}
	return true
}

func (l *layer) newestFirst() []*layerVersion {
	out := make([]*layerVersion, 0, len(l.Versions))
	for _, v := range l.Versions {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version > out[j].Version })
	return out
}

type layersListItem struct {
	LayerName             string           `json:"LayerName"`
	LayerArn              string           `json:"LayerArn"`
	LatestMatchingVersion *layerVersionOut `json:"LatestMatchingVersion"`
}

type listLayersOutput struct {
	Layers     []*layersListItem `json:"Layers"`
	NextMarker string            `json:"NextMarker,omitempty"`
}

func (s *Service) listLayers(ctx context.Context, runtime, arch, marker, maxItems string) (*listLayersOutput, error) {
	m := edge.MetaFrom(ctx)
	max, err := maxItemsParam(maxItems, 50, 50)
	if err != nil {
		return nil, err
	}
	var all []*layersListItem
	err = s.st.View(func(tx store.Tx) error {
		var derr error
		tx.Bucket(layerBucket(m.Account, m.Region)).Scan(nil, nil, false, func(k, v []byte) bool {
			var l layer
			if derr = json.Unmarshal(v, &l); derr != nil {
				return false
			}
			for _, lv := range l.newestFirst() {
				if lv.matches(runtime, arch) {
					all = append(all, &layersListItem{LayerName: l.Name, LayerArn: layerARN(m.Account, m.Region, l.Name),
						LatestMatchingVersion: lv.out(ctx, m.Account, m.Region, l.Name, false)})
					break
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
	return &listLayersOutput{Layers: nonNil(all[start:end]), NextMarker: next}, nil
}

type listLayerVersionsOutput struct {
	LayerVersions []*layerVersionOut `json:"LayerVersions"`
	NextMarker    string             `json:"NextMarker,omitempty"`
}

func (s *Service) listLayerVersions(ctx context.Context, name, runtime, arch, marker, maxItems string) (*listLayerVersionsOutput, error) {
	m := edge.MetaFrom(ctx)
	acct, region, lname, err := parseLayerName(name, m.Account, m.Region)
	if err != nil {
		return nil, err
	}
	max, err := maxItemsParam(maxItems, 50, 50)
	if err != nil {
		return nil, err
	}
	var all []*layerVersionOut
	err = s.st.View(func(tx store.Tx) error {
		l, err := loadLayer(tx, acct, region, lname)
		if err != nil || l == nil {
			return err
		}
		for _, lv := range l.newestFirst() {
			if lv.matches(runtime, arch) {
				all = append(all, lv.out(ctx, acct, region, lname, false))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	start, end, next, err := pageBounds(marker, max, len(all))
	if err != nil {
		return nil, err
	}
	return &listLayerVersionsOutput{LayerVersions: nonNil(all[start:end]), NextMarker: next}, nil
}
