package iam

import (
	"encoding/xml"
	"time"
)

// list is an awsQuery list: <Name><member>…</member>…</Name>. Without
// omitempty the wrapper is written even when empty, as IAM does for required
// lists (<Roles/>), so clients decode an empty list rather than a missing key.
type list[T any] []T

// MarshalXML writes each element as a <member>.
func (l list[T]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, v := range l {
		if err := e.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: "member"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// isoTime formats t as IAM does: ISO 8601 in UTC with whole seconds.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// Tag is a key-value pair on a role, policy or user.
type Tag struct {
	Key   string `json:"k" xml:"Key"`
	Value string `json:"v" xml:"Value"`
}

type xmlRole struct {
	Path                     string       `xml:"Path"`
	RoleName                 string       `xml:"RoleName"`
	RoleID                   string       `xml:"RoleId"`
	Arn                      string       `xml:"Arn"`
	CreateDate               string       `xml:"CreateDate"`
	AssumeRolePolicyDocument string       `xml:"AssumeRolePolicyDocument,omitempty"`
	Description              string       `xml:"Description,omitempty"`
	MaxSessionDuration       int          `xml:"MaxSessionDuration,omitempty"`
	PermissionsBoundary      *xmlBoundary `xml:"PermissionsBoundary,omitempty"`
	Tags                     list[Tag]    `xml:"Tags,omitempty"`
	RoleLastUsed             *xmlLastUsed `xml:"RoleLastUsed"`
}

type xmlBoundary struct {
	PermissionsBoundaryType string `xml:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `xml:"PermissionsBoundaryArn"`
}

// boundaryXML renders a permissions boundary, nil when there is none.
func boundaryXML(arn string) *xmlBoundary {
	if arn == "" {
		return nil
	}
	return &xmlBoundary{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: arn}
}

type xmlLastUsed struct {
	LastUsedDate string `xml:"LastUsedDate,omitempty"`
	Region       string `xml:"Region,omitempty"`
}

type xmlPolicy struct {
	PolicyName                    string    `xml:"PolicyName"`
	PolicyID                      string    `xml:"PolicyId"`
	Arn                           string    `xml:"Arn"`
	Path                          string    `xml:"Path"`
	DefaultVersionID              string    `xml:"DefaultVersionId"`
	AttachmentCount               int       `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int       `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool      `xml:"IsAttachable"`
	Description                   string    `xml:"Description,omitempty"`
	CreateDate                    string    `xml:"CreateDate"`
	UpdateDate                    string    `xml:"UpdateDate"`
	Tags                          list[Tag] `xml:"Tags,omitempty"`
}

type xmlPolicyVersion struct {
	Document         string `xml:"Document,omitempty"`
	VersionID        string `xml:"VersionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	CreateDate       string `xml:"CreateDate"`
}

type xmlAttached struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type xmlUser struct {
	Path                string       `xml:"Path,omitempty"`
	UserName            string       `xml:"UserName,omitempty"`
	UserID              string       `xml:"UserId"`
	Arn                 string       `xml:"Arn"`
	CreateDate          string       `xml:"CreateDate"`
	PermissionsBoundary *xmlBoundary `xml:"PermissionsBoundary,omitempty"`
	Tags                list[Tag]    `xml:"Tags,omitempty"`
}

type xmlAccessKey struct {
	UserName        string `xml:"UserName"`
	AccessKeyID     string `xml:"AccessKeyId"`
	Status          string `xml:"Status"`
	SecretAccessKey string `xml:"SecretAccessKey,omitempty"`
	CreateDate      string `xml:"CreateDate"`
}

// page is the pagination tail every IAM list result carries.
type page struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker,omitempty"`
}
