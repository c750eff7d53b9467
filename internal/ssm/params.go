package ssm

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// PutParameterInput is the PutParameter request.
type PutParameterInput struct {
	Name           *string
	Value          *string
	Type           string
	Description    *string
	KeyId          string
	Overwrite      bool
	AllowedPattern *string
	Tags           []Tag
	Tier           string
	Policies       string
	DataType       string
}

// PutParameterOutput is the PutParameter answer.
type PutParameterOutput struct {
	Version int64
	Tier    string
}

// PutParameter creates a parameter, or with Overwrite adds a version to it.
func (s *Service) PutParameter(ctx context.Context, in *PutParameterInput) (*PutParameterOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.Name == nil {
		return nil, edge.MissingMember("name")
	}
	if in.Value == nil {
		return nil, edge.MissingMember("value")
	}
	// AWS drops spaces around a name; spaces inside it are an error.
	name := strings.TrimSpace(*in.Name)
	in.Name = &name
	if err := checkNewName(m.Account, m.Region, name); err != nil {
		return nil, err
	}
	if err := checkPutMembers(in); err != nil {
		return nil, err
	}
	if len(in.Tags) > 0 && in.Overwrite {
		return nil, edge.Validation("Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.")
	}
	var out PutParameterOutput
	err := s.st.Update(func(tx store.Tx) error {
		r, err := getRecord(tx, m.Account, m.Region, *in.Name)
		if err != nil {
			return err
		}
		var prev *version
		if r != nil {
			if !in.Overwrite {
				return errExists()
			}
			prev = r.current()
		} else {
			r = &record{Name: *in.Name}
			if err := addTags(r, in.Tags); err != nil {
				return err
			}
		}
		v, err := s.newVersion(m.Account, in, prev)
		if err != nil {
			return err
		}
		r.Versions = append(r.Versions, *v)
		if len(r.Versions) > maxVersions {
			// AWS drops the oldest version unless it carries a label.
			if len(r.Versions[0].Labels) > 0 {
				return edge.Errorf("ParameterMaxVersionLimitExceeded",
					"You attempted to create a new version of %s by calling the PutParameter API with the overwrite flag. Version %d, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.",
					r.Name, r.Versions[0].Version)
			}
			r.Versions = slices.Delete(r.Versions, 0, 1)
		}
		out = PutParameterOutput{Version: v.Version, Tier: v.Tier}
		return putRecord(tx, m.Account, m.Region, r)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func checkPutMembers(in *PutParameterInput) error {
	switch in.Type {
	case "", "String", "StringList", "SecureString":
	default:
		return errConstraint(in.Type, "type", "Member must satisfy enum value set: [SecureString, StringList, String]")
	}
	switch in.Tier {
	case "", "Standard", "Advanced", "Intelligent-Tiering":
	default:
		return errConstraint(in.Tier, "tier", "Member must satisfy enum value set: [Advanced, Intelligent-Tiering, Standard]")
	}
	if in.Description != nil && len(*in.Description) > 1024 {
		return errLength(*in.Description, "description", 0, 1024)
	}
	if in.AllowedPattern != nil && len(*in.AllowedPattern) > 1024 {
		return errLength(*in.AllowedPattern, "allowedPattern", 0, 1024)
	}
	if in.Policies != "" {
		return edge.Errorf("InvalidPolicyTypeException", "Parameter policies are not supported by tenkai.")
	}
	if in.KeyId != "" && in.Type != "SecureString" && in.Type != "" {
		return edge.Validation("KeyId is required for SecureString type parameter only.")
	}
	switch in.DataType {
	case "", "text", "aws:ec2:image", "aws:ssm:integration":
	default:
		return edge.Validation("The following data type is not supported: %s (Data type names are all lowercase.)", in.DataType)
	}
	if *in.Value == "" {
		return errLength("", "value", 1, 0)
	}
	if i := strings.Index(*in.Value, "{{"); i >= 0 && strings.Contains((*in.Value)[i:], "}}") {
		return edge.Validation("Parameter value can't nest another parameter. Do not use \"{{}}\" in the value.")
	}
	return nil
}

// newVersion builds the version PutParameter adds after prev (nil on
// create). Members left out keep their value from prev.
func (s *Service) newVersion(account string, in *PutParameterInput, prev *version) (*version, error) {
	v := &version{Type: in.Type, Value: *in.Value, KeyID: in.KeyId, Tier: in.Tier, DataType: in.DataType,
		Modified: s.clk.Now().UTC(), User: "arn:aws:iam::" + account + ":root"}
	if in.Description != nil {
		v.Description = *in.Description
	}
	if in.AllowedPattern != nil {
		v.AllowedPattern = *in.AllowedPattern
	}
	if prev != nil {
		v.Version = prev.Version + 1
		if v.Type == "" {
			v.Type = prev.Type
		}
		if in.Description == nil {
			v.Description = prev.Description
		}
		if in.AllowedPattern == nil {
			v.AllowedPattern = prev.AllowedPattern
		}
		if v.KeyID == "" && v.Type == "SecureString" && prev.Type == "SecureString" {
			v.KeyID = prev.KeyID
		}
		if v.DataType == "" {
			v.DataType = prev.DataType
		}
	} else {
		v.Version = 1
		if v.Type == "" {
			return nil, edge.Validation("A parameter type is required when you create a parameter.")
		}
	}
	if v.KeyID != "" && v.Type != "SecureString" {
		return nil, edge.Validation("KeyId is required for SecureString type parameter only.")
	}
	if v.Type == "SecureString" && v.KeyID == "" {
		v.KeyID = "alias/aws/ssm"
	}
	if v.DataType == "" {
		v.DataType = "text"
	}
	if err := checkTier(v, prev); err != nil {
		return nil, err
	}
	if v.AllowedPattern != "" {
		re, err := regexp.Compile(`^(?:` + v.AllowedPattern + `)$`)
		if err != nil {
			return nil, edge.Errorf("InvalidAllowedPatternException", "The allowed pattern %s is not valid: %v", v.AllowedPattern, err)
		}
		if !re.MatchString(v.Value) {
			return nil, edge.Errorf("ParameterPatternMismatchException", "Parameter value, cannot be validated against allowedPattern: %s", v.AllowedPattern)
		}
	}
	return v, nil
}

// checkTier settles the version's tier and checks the value fits it. An
// Advanced parameter stays Advanced: AWS does not downgrade.
func checkTier(v, prev *version) error {
	size := len(v.Value)
	switch v.Tier {
	case "":
		v.Tier = "Standard"
		if prev != nil {
			v.Tier = prev.Tier
		}
	case "Intelligent-Tiering":
		v.Tier = "Standard"
		if size > maxStandardSize || prev != nil && prev.Tier == "Advanced" {
			v.Tier = "Advanced"
		}
	}
	if v.Tier == "Standard" && prev != nil && prev.Tier == "Advanced" {
		return edge.Validation("This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.")
	}
	if v.Tier == "Standard" && size > maxStandardSize {
		return edge.Validation("Standard tier parameters support a maximum parameter value of %d characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html", maxStandardSize)
	}
	if size > maxAdvancedSize {
		return edge.Validation("Advanced tier parameters support a maximum parameter value of %d characters.", maxAdvancedSize)
	}
	return nil
}

// GetParameterInput is the GetParameter request.
type GetParameterInput struct {
	Name           *string
	WithDecryption bool
}

// GetParameterOutput is the GetParameter answer.
type GetParameterOutput struct{ Parameter Parameter }

// GetParameter returns a parameter's current value, or the version a
// ":version" or ":label" selector names.
func (s *Service) GetParameter(ctx context.Context, in *GetParameterInput) (*GetParameterOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.Name == nil {
		return nil, edge.MissingMember("name")
	}
	ref, err := ParseRef(*in.Name)
	if err != nil {
		return nil, err
	}
	var out GetParameterOutput
	err = s.st.View(func(tx store.Tx) error {
		r, err := getRef(tx, m.Account, m.Region, ref)
		if err != nil {
			return err
		}
		if r == nil {
			return errNotFound()
		}
		v, err := r.find(ref)
		if err != nil {
			return err
		}
		out.Parameter = s.parameter(m.Account, m.Region, r, v, ref.Selector(), in.WithDecryption)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// GetParametersInput is the GetParameters request.
type GetParametersInput struct {
	Names          []string
	WithDecryption bool
}

// GetParametersOutput is the GetParameters answer.
type GetParametersOutput struct {
	Parameters        []Parameter
	InvalidParameters []string
}

// GetParameters returns up to 10 parameters; names that match nothing (or
// name a missing version) are listed as given in InvalidParameters.
func (s *Service) GetParameters(ctx context.Context, in *GetParametersInput) (*GetParametersOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.Names == nil {
		return nil, edge.MissingMember("names")
	}
	if len(in.Names) < 1 || len(in.Names) > 10 {
		return nil, errConstraint(in.Names, "names", "Member must have length less than or equal to 10")
	}
	refs := make([]Ref, len(in.Names))
	for i, n := range in.Names {
		ref, err := ParseRef(n)
		if err != nil {
			return nil, err
		}
		refs[i] = ref
	}
	out := GetParametersOutput{Parameters: []Parameter{}, InvalidParameters: []string{}}
	err := s.st.View(func(tx store.Tx) error {
		seen := map[string]bool{}
		for i, ref := range refs {
			if seen[in.Names[i]] {
				continue
			}
			seen[in.Names[i]] = true
			r, err := getRef(tx, m.Account, m.Region, ref)
			if err != nil {
				return err
			}
			var v *version
			if r != nil {
				v, _ = r.find(ref)
			}
			if v == nil {
				out.InvalidParameters = append(out.InvalidParameters, in.Names[i])
				continue
			}
			out.Parameters = append(out.Parameters, s.parameter(m.Account, m.Region, r, v, ref.Selector(), in.WithDecryption))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteParameterInput is the DeleteParameter request.
type DeleteParameterInput struct{ Name *string }

// DeleteParameterOutput is the empty DeleteParameter answer.
type DeleteParameterOutput struct{}

// DeleteParameter deletes a parameter and all its versions.
func (s *Service) DeleteParameter(ctx context.Context, in *DeleteParameterInput) (*DeleteParameterOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.Name == nil {
		return nil, edge.MissingMember("name")
	}
	name, err := cleanName(*in.Name)
	if err != nil {
		return nil, err
	}
	err = s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(bucket(m.Account, m.Region))
		if b.Get([]byte(name)) == nil {
			return errNotFound()
		}
		return b.Delete([]byte(name))
	})
	if err != nil {
		return nil, err
	}
	return &DeleteParameterOutput{}, nil
}

// DeleteParametersInput is the DeleteParameters request.
type DeleteParametersInput struct{ Names []string }

// DeleteParametersOutput is the DeleteParameters answer.
type DeleteParametersOutput struct {
	DeletedParameters []string
	InvalidParameters []string
}

// DeleteParameters deletes up to 10 parameters, listing the names it could
// not find.
func (s *Service) DeleteParameters(ctx context.Context, in *DeleteParametersInput) (*DeleteParametersOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.Names == nil {
		return nil, edge.MissingMember("names")
	}
	if len(in.Names) < 1 || len(in.Names) > 10 {
		return nil, errConstraint(in.Names, "names", "Member must have length less than or equal to 10")
	}
	out := DeleteParametersOutput{DeletedParameters: []string{}, InvalidParameters: []string{}}
	err := s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(bucket(m.Account, m.Region))
		for _, given := range in.Names {
			n, err := cleanName(given)
			if err != nil || b.Get([]byte(n)) == nil {
				if !slices.Contains(out.InvalidParameters, n) && !slices.Contains(out.DeletedParameters, n) {
					out.InvalidParameters = append(out.InvalidParameters, n)
				}
				continue
			}
			if err := b.Delete([]byte(n)); err != nil {
				return err
			}
			out.DeletedParameters = append(out.DeletedParameters, n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
