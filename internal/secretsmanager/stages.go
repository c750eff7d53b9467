package secretsmanager

import (
	"context"
	"slices"

	"tenkai/internal/edge"
)

// UpdateSecretVersionStageInput is the UpdateSecretVersionStage request.
type UpdateSecretVersionStageInput struct {
	SecretId            *string
	VersionStage        *string
	RemoveFromVersionId *string
	MoveToVersionId     *string
}

// UpdateSecretVersionStage moves a staging label to MoveToVersionId, or
// removes it from RemoveFromVersionId. A label attached elsewhere moves only
// when RemoveFromVersionId names the version it is on, so a rotation step
// cannot take it from a version it did not expect; moving AWSCURRENT makes
// the version it left AWSPREVIOUS.
func (s *Service) UpdateSecretVersionStage(ctx context.Context, in *UpdateSecretVersionStageInput) (*SecretOutput, error) {
	switch {
	case in.SecretId == nil:
		return nil, edge.MissingMember("secretId")
	case in.VersionStage == nil:
		return nil, edge.MissingMember("versionStage")
	}
	stage := *in.VersionStage
	if stage == "" || len(stage) > 256 {
		return nil, errConstraint(stage, "versionStage", "Member must have length less than or equal to 256")
	}
	var out SecretOutput
	err := s.update(edge.MetaFrom(ctx), *in.SecretId, true, func(sec *secret) error {
		out = SecretOutput{ARN: sec.ARN, Name: sec.Name}
		holder := sec.staged(stage)
		if in.RemoveFromVersionId != nil {
			from := sec.version(*in.RemoveFromVersionId)
			if from == nil {
				return errVersionNotFound(*in.RemoveFromVersionId)
			}
			if from != holder {
				return errParam("The staging label %s is not attached to version %s.", stage, *in.RemoveFromVersionId)
			}
		}
		if in.MoveToVersionId == nil {
			if in.RemoveFromVersionId == nil {
				return errParam("You must specify MoveToVersionId, RemoveFromVersionId, or both.")
			}
			if stage == stageCurrent {
				return errParam("You can't remove the staging label AWSCURRENT from a version; move it to another version instead.")
			}
			holder.Stages = slices.DeleteFunc(holder.Stages, func(x string) bool { return x == stage })
			return nil
		}
		to := sec.version(*in.MoveToVersionId)
		if to == nil {
			return errVersionNotFound(*in.MoveToVersionId)
		}
		if holder == to {
			return nil
		}
		if holder != nil && in.RemoveFromVersionId == nil {
			return errParam("The parameter RemoveFromVersionId can't be empty. Staging label %s is currently attached to version %s, so you must explicitly reference that version in RemoveFromVersionId.", stage, holder.ID)
		}
		if holder != nil {
			holder.Stages = slices.DeleteFunc(holder.Stages, func(x string) bool { return x == stage })
			if stage == stageCurrent {
				for i := range sec.Versions {
					sec.Versions[i].Stages = slices.DeleteFunc(sec.Versions[i].Stages, func(x string) bool { return x == stagePrevious })
				}
				holder.Stages = append(holder.Stages, stagePrevious)
			}
		}
		to.Stages = append(slices.DeleteFunc(to.Stages, func(x string) bool { return x == stagePrevious && stage == stageCurrent }), stage)
		sec.Changed = s.clk.Now().UTC()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
