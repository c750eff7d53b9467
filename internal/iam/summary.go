package iam

import (
	"context"
	"encoding/xml"
	"net/url"

	"tenkai/internal/store"
)

// summaryMap is an awsQuery map: <entry><key>…</key><value>…</value></entry>.
type summaryMap []summaryEntry

type summaryEntry struct {
	Key   string `xml:"key"`
	Value int    `xml:"value"`
}

// MarshalXML writes each pair as an <entry>.
func (m summaryMap) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, kv := range m {
		if err := e.EncodeElement(kv, xml.StartElement{Name: xml.Name{Local: "entry"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

func (s *Service) getAccountSummary(ctx context.Context, _ url.Values) (any, error) {
	acct := account(ctx)
	counts := map[string]int{}
	_ = s.st.View(func(tx store.Tx) error {
		counts["Users"] = tx.Bucket(usersBucket(acct)).Len()
		counts["Roles"] = tx.Bucket(rolesBucket(acct)).Len()
		counts["Groups"] = tx.Bucket(groupsBucket(acct)).Len()
		counts["Policies"] = tx.Bucket(policiesBucket(acct)).Len()
		counts["InstanceProfiles"] = tx.Bucket(profilesBucket(acct)).Len()
		counts["Providers"] = tx.Bucket(oidcBucket(acct)).Len()
		for _, p := range scanJSON[policyRec](tx.Bucket(policiesBucket(acct))) {
			counts["PolicyVersionsInUse"] += len(p.Versions)
		}
		return nil
	})
	m := summaryMap{
		{"Users", counts["Users"]}, {"UsersQuota", 5000},
		{"Groups", counts["Groups"]}, {"GroupsQuota", 300},
		{"Roles", counts["Roles"]}, {"RolesQuota", 1000},
		{"Policies", counts["Policies"]}, {"PoliciesQuota", 1500},
		{"InstanceProfiles", counts["InstanceProfiles"]}, {"InstanceProfilesQuota", 1000},
		{"Providers", counts["Providers"]},
		{"PolicyVersionsInUse", counts["PolicyVersionsInUse"]}, {"PolicyVersionsInUseQuota", 10000},
		{"VersionsPerPolicyQuota", maxPolicyVersions},
		{"PolicySizeQuota", maxManagedPolicySize},
		{"RolePolicySizeQuota", maxInlineRolePolicy},
		{"UserPolicySizeQuota", maxInlineUserPolicy},
		{"GroupPolicySizeQuota", maxInlineGroupPolicy},
		{"AssumeRolePolicySizeQuota", maxTrustPolicySize},
		{"AttachedPoliciesPerRoleQuota", maxManagedPerEntity},
		{"AttachedPoliciesPerUserQuota", maxManagedPerEntity},
		{"AttachedPoliciesPerGroupQuota", maxManagedPerEntity},
		{"AccessKeysPerUserQuota", maxKeysPerUser},
		{"GroupsPerUserQuota", 10},
		{"ServerCertificates", 0}, {"ServerCertificatesQuota", 20},
		{"SigningCertificatesPerUserQuota", 2},
		{"MFADevices", 0}, {"MFADevicesInUse", 0},
		{"AccountMFAEnabled", 0}, {"AccountAccessKeysPresent", 0},
		{"AccountPasswordPresent", 0}, {"AccountSigningCertificatesPresent", 0},
		{"GlobalEndpointTokenVersion", 1},
	}
	return struct {
		SummaryMap summaryMap `xml:"SummaryMap"`
	}{m}, nil
}
