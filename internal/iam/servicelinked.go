package iam

import (
	"context"
	"net/url"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// serviceLinkedNames are the role names AWS gives service-linked roles whose
// name is not simply AWSServiceRoleFor + the service's first label.
var serviceLinkedNames = map[string]string{
	"autoscaling.amazonaws.com":                      "AWSServiceRoleForAutoScaling",
	"ecs.amazonaws.com":                              "AWSServiceRoleForECS",
	"elasticloadbalancing.amazonaws.com":             "AWSServiceRoleForElasticLoadBalancing",
	"es.amazonaws.com":                               "AWSServiceRoleForAmazonOpenSearchService",
	"opensearchservice.amazonaws.com":                "AWSServiceRoleForAmazonOpenSearchService",
	"rds.amazonaws.com":                              "AWSServiceRoleForRDS",
	"apigateway.amazonaws.com":                       "AWSServiceRoleForAPIGateway",
	"replicator.lambda.amazonaws.com":                "AWSServiceRoleForLambdaReplicator",
	"ops.apigateway.amazonaws.com":                   "AWSServiceRoleForAPIGateway",
	"dynamodb.application-autoscaling.amazonaws.com": "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
	"ecs.application-autoscaling.amazonaws.com":      "AWSServiceRoleForApplicationAutoScaling_ECSService",
	"lambda.application-autoscaling.amazonaws.com":   "AWSServiceRoleForApplicationAutoScaling_LambdaConcurrency",
	"spot.amazonaws.com":                             "AWSServiceRoleForEC2Spot",
	"eks.amazonaws.com":                              "AWSServiceRoleForAmazonEKS",
	"elasticache.amazonaws.com":                      "AWSServiceRoleForElastiCache",
	"organizations.amazonaws.com":                    "AWSServiceRoleForOrganizations",
	"support.amazonaws.com":                          "AWSServiceRoleForSupport",
	"trustedadvisor.amazonaws.com":                   "AWSServiceRoleForTrustedAdvisor",
	"config.amazonaws.com":                           "AWSServiceRoleForConfig",
	"cloudtrail.amazonaws.com":                       "AWSServiceRoleForCloudTrail",
}

// serviceLinkedName is the role name AWS gives a service's service-linked role.
func serviceLinkedName(service string) string {
	if n, ok := serviceLinkedNames[service]; ok {
		return n
	}
	label, _, _ := strings.Cut(service, ".")
	if label == "" {
		return "AWSServiceRoleFor"
	}
	return "AWSServiceRoleFor" + strings.ToUpper(label[:1]) + label[1:]
}

func (s *Service) createServiceLinkedRole(ctx context.Context, form url.Values) (any, error) {
	var c checker
	service := c.str(form, "AWSServiceName", "aWSServiceName", true, 1, 128, reName, patName)
	desc := c.str(form, "Description", "description", false, 0, 1000, reRoleDesc, patRoleDesc)
	suffix := c.str(form, "CustomSuffix", "customSuffix", false, 1, 64, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	if !strings.HasSuffix(service, ".amazonaws.com") {
		return nil, invalidInput("Service name %s is not a valid AWS service.", service)
	}
	name := serviceLinkedName(service)
	if suffix != "" {
		name += "_" + suffix
	}
	if len(name) > 64 {
		return nil, invalidInput("Service role name %s is too long.", name)
	}
	id, err := s.newID("AROA")
	if err != nil {
		return nil, err
	}
	acct := account(ctx)
	path := "/aws-service-role/" + service + "/"
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["` + service + `"]},"Action":["sts:AssumeRole"]}]}`
	r := &roleRec{Name: name, Path: path, ID: id, Arn: roleARN(acct, path, name), Created: s.now(), Trust: trust, Description: desc, MaxSession: defaultSessionLength}
	err = s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(rolesBucket(acct))
		if b.Get([]byte(strings.ToLower(name))) != nil {
			return invalidInput("Service role name %s has been taken in this account, please try a different suffix.", name)
		}
		return putJSON(b, strings.ToLower(name), r)
	})
	if err != nil {
		return nil, err
	}
	return struct {
		Role xmlRole `xml:"Role"`
	}{roleXML(r, false)}, nil
}

// deletionTasksBucket remembers service-linked role deletions for
// GetServiceLinkedRoleDeletionStatus; tenkai deletes at once, so every
// task has succeeded.
func deletionTasksBucket(acct string) string { return "iam/deletiontasks/" + acct }

func (s *Service) deleteServiceLinkedRole(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	var task string
	err := s.st.Update(func(tx store.Tx) error {
		r, err := loadRole(tx, acct, name)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(r.Path, "/aws-service-role/") {
			return invalidInput("Role %s is not a service-linked role.", r.Name)
		}
		task = "task" + r.Path + r.Name + "/" + edge.NewUUID()
		if err := tx.Bucket(deletionTasksBucket(acct)).Put([]byte(task), []byte("SUCCEEDED")); err != nil {
			return err
		}
		return tx.Bucket(rolesBucket(acct)).Delete([]byte(strings.ToLower(r.Name)))
	})
	if err != nil {
		return nil, err
	}
	return struct {
		DeletionTaskID string `xml:"DeletionTaskId"`
	}{task}, nil
}

func (s *Service) getServiceLinkedRoleDeletionStatus(ctx context.Context, form url.Values) (any, error) {
	var c checker
	task := c.str(form, "DeletionTaskId", "deletionTaskId", true, 1, 1000, nil, "")
	if err := c.err(); err != nil {
		return nil, err
	}
	var status string
	_ = s.st.View(func(tx store.Tx) error {
		status = string(tx.Bucket(deletionTasksBucket(account(ctx))).Get([]byte(task)))
		return nil
	})
	if status == "" {
		return nil, noSuchEntity("Deletion task %s cannot be found.", task)
	}
	return struct {
		Status string `xml:"Status"`
	}{status}, nil
}
