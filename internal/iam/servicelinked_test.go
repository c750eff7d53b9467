package iam_test

import (
	"testing"
)

func TestServiceLinkedRoles(t *testing.T) {
	f := newFixture(t)
	tests := []struct{ service, suffix, wantName string }{
		{"ecs.amazonaws.com", "", "AWSServiceRoleForECS"},
		{"elasticloadbalancing.amazonaws.com", "", "AWSServiceRoleForElasticLoadBalancing"},
		{"batch.amazonaws.com", "", "AWSServiceRoleForBatch"},
		{"batch.amazonaws.com", "x1", "AWSServiceRoleForBatch_x1"},
	}
	for _, tc := range tests {
		kv := []string{"AWSServiceName", tc.service}
		if tc.suffix != "" {
			kv = append(kv, "CustomSuffix", tc.suffix)
		}
		var r roleResult
		f.must(&r, "CreateServiceLinkedRole", kv...)
		if r.Role.RoleName != tc.wantName || r.Role.Path != "/aws-service-role/"+tc.service+"/" {
			t.Errorf("CreateServiceLinkedRole(%s, %q) = %s at %s; want %s", tc.service, tc.suffix, r.Role.RoleName, r.Role.Path, tc.wantName)
		}
	}
	f.fail("InvalidInput", "Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.",
		"CreateServiceLinkedRole", "AWSServiceName", "ecs.amazonaws.com")
	f.must(nil, "CreateRole", "RoleName", "plain", "AssumeRolePolicyDocument", trust)
	f.fail("InvalidInput", "", "DeleteServiceLinkedRole", "RoleName", "plain")
	var del struct{ DeletionTaskId string }
	f.must(&del, "DeleteServiceLinkedRole", "RoleName", "AWSServiceRoleForECS")
	var st struct{ Status string }
	f.must(&st, "GetServiceLinkedRoleDeletionStatus", "DeletionTaskId", del.DeletionTaskId)
	if st.Status != "SUCCEEDED" {
		t.Errorf("deletion status = %q", st.Status)
	}
	f.fail("NoSuchEntity", "", "GetRole", "RoleName", "AWSServiceRoleForECS")
}

func TestGetAccountSummary(t *testing.T) {
	f := newFixture(t)
	f.must(nil, "CreateRole", "RoleName", "r1", "AssumeRolePolicyDocument", trust)
	f.must(nil, "CreateRole", "RoleName", "r2", "AssumeRolePolicyDocument", trust)
	f.must(nil, "CreateUser", "UserName", "u")
	var got struct {
		Entries []struct {
			Key   string `xml:"key"`
			Value int    `xml:"value"`
		} `xml:"SummaryMap>entry"`
	}
	f.must(&got, "GetAccountSummary")
	m := map[string]int{}
	for _, e := range got.Entries {
		m[e.Key] = e.Value
	}
	if m["Roles"] != 2 || m["Users"] != 1 || m["RolesQuota"] != 1000 || m["AttachedPoliciesPerRoleQuota"] != 10 {
		t.Errorf("GetAccountSummary = %v", m)
	}
}
