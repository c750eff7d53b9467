package secretsmanager

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// CreateSecretInput is the CreateSecret request.
type CreateSecretInput struct {
	Name               *string
	ClientRequestToken *string
	Description        *string
	KmsKeyId           *string
	SecretBinary       []byte
	SecretString       *string
	Tags               []Tag
}

// SecretOutput is the answer of the operations that name a secret and
// perhaps one of its versions.
type SecretOutput struct {
	ARN           string
	Name          string
	VersionId     string      `json:",omitempty"`
	VersionStages []string    `json:",omitempty"`
	DeletionDate  *edge.Epoch `json:",omitempty"`
}

// CreateSecret creates a secret, with a first version labelled AWSCURRENT
// when it has a value. A retry with the same ClientRequestToken and value
// answers as the first call did.
func (s *Service) CreateSecret(ctx context.Context, in *CreateSecretInput) (*SecretOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.Name == nil {
		return nil, edge.MissingMember("name")
	}
	if err := checkName(*in.Name); err != nil {
		return nil, err
	}
	if err := checkValue(in.SecretString, in.SecretBinary, in.ClientRequestToken); err != nil {
		return nil, err
	}
	if in.Description != nil && len(*in.Description) > 2048 {
		return nil, errConstraint(*in.Description, "description", "Member must have length less than or equal to 2048")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	hasValue := in.SecretString != nil || in.SecretBinary != nil
	token := s.token(in.ClientRequestToken)
	suffix, err := s.suffix()
	if err != nil {
		return nil, err
	}
	now := s.clk.Now().UTC()
	var out SecretOutput
	err = s.st.Update(func(tx store.Tx) error {
		if old, err := lookup(tx, m.Account, m.Region, *in.Name, now); err == nil {
			if old.Deleted != nil {
				return errRequest("You can't create this secret because a secret with this name is already scheduled for deletion.")
			}
			if v := old.version(token); in.ClientRequestToken != nil && v != nil && v.sameValue(in.SecretString, in.SecretBinary) {
				out = SecretOutput{ARN: old.ARN, Name: old.Name, VersionId: v.ID}
				return nil
			}
			return edge.Errorf("ResourceExistsException", "The operation failed because the secret %s already exists.", *in.Name)
		}
		sec := &secret{Name: *in.Name, ARN: arn(m.Account, m.Region, *in.Name, suffix), Tags: mergeTags(nil, in.Tags), Created: now, Changed: now}
		if in.Description != nil {
			sec.Description = *in.Description
		}
		if in.KmsKeyId != nil {
			sec.KmsKeyID = *in.KmsKeyId
		}
		out = SecretOutput{ARN: sec.ARN, Name: sec.Name}
		if hasValue {
			sec.addVersion(sversion{ID: token, String: in.SecretString, Binary: in.SecretBinary, Stages: []string{stageCurrent}, Created: now})
			out.VersionId = token
		}
		return putSecret(tx, m.Account, m.Region, sec)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// GetSecretValueInput is the GetSecretValue request.
type GetSecretValueInput struct {
	SecretId     *string
	VersionId    *string
	VersionStage *string
}

// SecretValue is a secret's value as GetSecretValue returns it.
type SecretValue struct {
	ARN           string
	Name          string
	VersionId     string
	SecretBinary  []byte  `json:",omitempty"`
	SecretString  *string `json:",omitempty"`
	VersionStages []string
	CreatedDate   edge.Epoch
}

// GetSecretValue returns the version VersionId or VersionStage names, or the
// AWSCURRENT one.
func (s *Service) GetSecretValue(ctx context.Context, in *GetSecretValueInput) (*SecretValue, error) {
	m := edge.MetaFrom(ctx)
	if in.SecretId == nil {
		return nil, edge.MissingMember("secretId")
	}
	var out *SecretValue
	err := s.st.View(func(tx store.Tx) error {
		sec, err := lookup(tx, m.Account, m.Region, *in.SecretId, s.clk.Now())
		if err != nil {
			return err
		}
		out, err = value(sec, in.VersionId, in.VersionStage)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func value(sec *secret, versionID, stage *string) (*SecretValue, error) {
	if sec.Deleted != nil {
		return nil, errMarkedForDeletion()
	}
	var v *sversion
	switch {
	case versionID != nil:
		v = sec.version(*versionID)
		if v == nil || stage != nil && !slices.Contains(v.Stages, *stage) {
			return nil, errVersionNotFound(*versionID)
		}
	default:
		st := stageCurrent
		if stage != nil {
			st = *stage
		}
		if v = sec.staged(st); v == nil {
			return nil, edge.Errorf("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: %s", st)
		}
	}
	return &SecretValue{ARN: sec.ARN, Name: sec.Name, VersionId: v.ID, SecretBinary: v.Binary, SecretString: v.String,
		VersionStages: v.Stages, CreatedDate: edge.Epoch(v.Created)}, nil
}

// PutSecretValueInput is the PutSecretValue request.
type PutSecretValueInput struct {
	SecretId           *string
	ClientRequestToken *string
	SecretBinary       []byte
	SecretString       *string
	VersionStages      []string
}

// PutSecretValue adds a version, labelled AWSCURRENT unless VersionStages
// says otherwise. Repeating a token with the same value changes nothing;
// with another value it is an error, as versions never change.
func (s *Service) PutSecretValue(ctx context.Context, in *PutSecretValueInput) (*SecretOutput, error) {
	if in.SecretId == nil {
		return nil, edge.MissingMember("secretId")
	}
	if in.SecretString == nil && in.SecretBinary == nil {
		return nil, errParam("You must provide either SecretString or SecretBinary.")
	}
	if err := checkValue(in.SecretString, in.SecretBinary, in.ClientRequestToken); err != nil {
		return nil, err
	}
	stages := in.VersionStages
	if stages == nil {
		stages = []string{stageCurrent}
	}
	if len(stages) < 1 || len(stages) > 20 {
		return nil, errConstraint(stages, "versionStages", "Member must have length less than or equal to 20")
	}
	return s.addValue(ctx, *in.SecretId, in.ClientRequestToken, in.SecretString, in.SecretBinary, slices.Clone(stages), nil)
}

// addValue adds a version to a secret, applying change (if any) to the
// secret in the same transaction.
func (s *Service) addValue(ctx context.Context, id string, token, str *string, bin []byte, stages []string, change func(*secret)) (*SecretOutput, error) {
	m := edge.MetaFrom(ctx)
	vid := s.token(token)
	now := s.clk.Now().UTC()
	var out SecretOutput
	err := s.st.Update(func(tx store.Tx) error {
		sec, err := lookup(tx, m.Account, m.Region, id, now)
		if err != nil {
			return err
		}
		if sec.Deleted != nil {
			return errMarkedForDeletion()
		}
		out = SecretOutput{ARN: sec.ARN, Name: sec.Name, VersionId: vid}
		if v := sec.version(vid); v != nil {
			if !v.sameValue(str, bin) {
				return edge.Errorf("ResourceExistsException", "You can't modify an existing version, you can only create a new version.")
			}
			out.VersionStages = v.Stages
			if change == nil {
				return nil
			}
		} else {
			sec.addVersion(sversion{ID: vid, String: str, Binary: bin, Stages: stages, Created: now})
		}
		if change != nil {
			change(sec)
		}
		// The stages as stored: a first version is AWSCURRENT whatever it was put with.
		if v := sec.version(vid); v != nil {
			out.VersionStages = v.Stages
		}
		sec.Changed = now
		return putSecret(tx, m.Account, m.Region, sec)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateSecretInput is the UpdateSecret request.
type UpdateSecretInput struct {
	SecretId           *string
	ClientRequestToken *string
	Description        *string
	KmsKeyId           *string
	SecretBinary       []byte
	SecretString       *string
}

// UpdateSecret changes a secret's description or key, and with a value adds
// a version labelled AWSCURRENT.
func (s *Service) UpdateSecret(ctx context.Context, in *UpdateSecretInput) (*SecretOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.SecretId == nil {
		return nil, edge.MissingMember("secretId")
	}
	if err := checkValue(in.SecretString, in.SecretBinary, in.ClientRequestToken); err != nil {
		return nil, err
	}
	change := func(sec *secret) {
		if in.Description != nil {
			sec.Description = *in.Description
		}
		if in.KmsKeyId != nil {
			sec.KmsKeyID = *in.KmsKeyId
		}
	}
	if in.SecretString != nil || in.SecretBinary != nil {
		out, err := s.addValue(ctx, *in.SecretId, in.ClientRequestToken, in.SecretString, in.SecretBinary, []string{stageCurrent}, change)
		if err != nil {
			return nil, err
		}
		out.VersionStages = nil
		return out, nil
	}
	var out SecretOutput
	err := s.update(m, *in.SecretId, true, func(sec *secret) error {
		change(sec)
		sec.Changed = s.clk.Now().UTC()
		out = SecretOutput{ARN: sec.ARN, Name: sec.Name}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// update applies fn to a secret and saves it; live refuses secrets
// scheduled for deletion.
func (s *Service) update(m *edge.Meta, id string, live bool, fn func(*secret) error) error {
	return s.st.Update(func(tx store.Tx) error {
		sec, err := lookup(tx, m.Account, m.Region, id, s.clk.Now())
		if err != nil {
			return err
		}
		if live && sec.Deleted != nil {
			return errMarkedForDeletion()
		}
		if err := fn(sec); err != nil {
			return err
		}
		return putSecret(tx, m.Account, m.Region, sec)
	})
}

// DeleteSecretInput is the DeleteSecret request.
type DeleteSecretInput struct {
	SecretId                   *string
	RecoveryWindowInDays       *int64
	ForceDeleteWithoutRecovery bool
}

// DeleteSecret schedules a secret's deletion after a recovery window of 7
// to 30 days (30 by default), or deletes it at once with
// ForceDeleteWithoutRecovery.
func (s *Service) DeleteSecret(ctx context.Context, in *DeleteSecretInput) (*SecretOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.SecretId == nil {
		return nil, edge.MissingMember("secretId")
	}
	days := int64(30)
	if in.RecoveryWindowInDays != nil {
		if in.ForceDeleteWithoutRecovery {
			return nil, errParam("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
		}
		days = *in.RecoveryWindowInDays
		if days < 7 || days > 30 {
			return nil, errParam("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
		}
	}
	now := s.clk.Now().UTC()
	suffix, err := s.suffix()
	if err != nil {
		return nil, err
	}
	var out SecretOutput
	err = s.st.Update(func(tx store.Tx) error {
		sec, err := lookup(tx, m.Account, m.Region, *in.SecretId, now)
		if in.ForceDeleteWithoutRecovery && isNotFound(err) {
			// AWS answers a forced delete of a missing secret as done.
			at := edge.Epoch(now)
			out = SecretOutput{ARN: *in.SecretId, Name: *in.SecretId, DeletionDate: &at}
			if !strings.HasPrefix(*in.SecretId, "arn:") {
				out.ARN = arn(m.Account, m.Region, *in.SecretId, suffix)
			} else if i := strings.LastIndex(*in.SecretId, ":"); i >= 0 {
				out.Name = (*in.SecretId)[i+1:]
			}
			return nil
		}
		if err != nil {
			return err
		}
		if in.ForceDeleteWithoutRecovery {
			at := edge.Epoch(now)
			out = SecretOutput{ARN: sec.ARN, Name: sec.Name, DeletionDate: &at}
			return tx.Bucket(bucket(m.Account, m.Region)).Delete([]byte(sec.Name))
		}
		if sec.Deleted != nil {
			return errMarkedForDeletion()
		}
		purge := now.Add(time.Duration(days) * 24 * time.Hour)
		sec.Deleted, sec.PurgeAt = &now, &purge
		at := edge.Epoch(purge)
		out = SecretOutput{ARN: sec.ARN, Name: sec.Name, DeletionDate: &at}
		return putSecret(tx, m.Account, m.Region, sec)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// SecretIDInput is the request of the operations that take only a SecretId.
type SecretIDInput struct{ SecretId *string }

// RestoreSecret cancels a scheduled deletion.
func (s *Service) RestoreSecret(ctx context.Context, in *SecretIDInput) (*SecretOutput, error) {
	if in.SecretId == nil {
		return nil, edge.MissingMember("secretId")
	}
	var out SecretOutput
	err := s.update(edge.MetaFrom(ctx), *in.SecretId, false, func(sec *secret) error {
		sec.Deleted, sec.PurgeAt = nil, nil
		out = SecretOutput{ARN: sec.ARN, Name: sec.Name}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func isNotFound(err error) bool {
	var e *edge.Error
	return errors.As(err, &e) && e.Code == "ResourceNotFoundException"
}
