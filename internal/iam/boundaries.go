package iam

import (
	"context"
	"net/url"

	"tenkai/internal/store"
)

// Permissions boundaries: a managed policy that caps what a role or user may do.

func (s *Service) putRolePermissionsBoundary(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	arn := c.str(form, "PermissionsBoundary", "permissionsBoundary", true, 20, 2048, nil, "")
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	_, err := s.updateRoleTx(ctx, name, func(tx store.Tx, r *roleRec) error {
		if err := boundaryAttachable(tx, acct, arn); err != nil {
			return err
		}
		r.Boundary = arn
		return nil
	})
	return nil, err
}

func (s *Service) deleteRolePermissionsBoundary(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	_, err := s.updateRoleTx(ctx, name, func(_ store.Tx, r *roleRec) error {
		r.Boundary = ""
		return nil
	})
	return nil, err
}

// boundaryAttachable checks that arn names a managed policy usable as a
// permissions boundary; IAM words the failure around the "scope" ARN.
func boundaryAttachable(tx store.Tx, acct, arn string) error {
	if _, _, _, ok := parsePolicyARN(arn); !ok {
		return invalidInput("ARN %s is not valid.", arn)
	}
	if _, err := lookupPolicy(tx, acct, arn); err != nil {
		return noSuchEntity("Scope ARN: %s does not exist or is not attachable.", arn)
	}
	return nil
}
