package codedeploy

import (
	"context"
	"errors"
)

// Revision names the AppSpec file a deployment runs: inline content, or an
// S3 object (BundleType "YAML", "JSON" or "zip" holding appspec.yaml,
// appspec.yml or appspec.json at its root).
type Revision struct {
	AppSpecContent string // YAML or JSON; used when set
	S3Bucket       string
	S3Key          string
	S3Version      string
	BundleType     string // "" means zip
}

func (r Revision) location() *revisionLocation {
	if r.AppSpecContent != "" {
		return &revisionLocation{RevisionType: "AppSpecContent", AppSpecContent: &appSpecContent{Content: r.AppSpecContent}}
	}
	bt := r.BundleType
	if bt == "" {
		bt = "zip"
	}
	return &revisionLocation{RevisionType: "S3", S3Location: &s3Location{Bucket: r.S3Bucket, Key: r.S3Key, Version: r.S3Version, BundleType: bt}}
}

// Result is how a deployment ended.
type Result struct {
	DeploymentID string
	Status       string // Succeeded, Failed or Stopped
	ErrorCode    string // errorInformation.code when not Succeeded
	Message      string // errorInformation.message when not Succeeded
}

// Deploy starts a deployment of application's group as CodePipeline's
// CodeDeploy and ECS (Blue/Green) deploy actions do, and returns its id.
// Errors are *edge.Error values with CodeDeploy's codes (for instance
// DeploymentLimitExceededException). Watch the outcome with Done.
func (s *Service) Deploy(ctx context.Context, account, region, application, group string, rev Revision, description string) (string, error) {
	if rev.AppSpecContent == "" && (rev.S3Bucket == "" || rev.S3Key == "") {
		return "", errors.New("codedeploy: a revision needs AppSpec content or an S3 bucket and key")
	}
	return s.create(ctx, &deploymentRequest{Account: account, Region: region, Application: application, Group: group,
		Revision: rev.location(), Description: description, Creator: "user"})
}

// Done returns a channel that receives the deployment's Result once it
// ends (at once if it already has) and is then closed. A deployment
// resumed after a restart reports to channels taken after the restart.
// The channel is never closed without a value unless the service is reset
// or the deployment does not exist.
func (s *Service) Done(account, region, id string) <-chan Result {
	ch := make(chan Result, 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.load(account, region, id)
	if err != nil {
		close(ch)
		return ch
	}
	if d.terminal() {
		ch <- resultOf(d)
		close(ch)
		return ch
	}
	key := depKey(account, region, id)
	s.watchers[key] = append(s.watchers[key], ch)
	return ch
}

func resultOf(d *deployment) Result {
	r := Result{DeploymentID: d.ID, Status: d.Status}
	if d.Error != nil {
		r.ErrorCode, r.Message = d.Error.Code, d.Error.Message
	}
	return r
}

// notify hands a finished deployment's result to its watchers.
func (s *Service) notify(d *deployment) {
	key := depKey(d.Account, d.Region, d.ID)
	s.mu.Lock()
	chs := s.watchers[key]
	delete(s.watchers, key)
	s.mu.Unlock()
	for _, ch := range chs {
		ch <- resultOf(d)
		close(ch)
	}
}
