package codepipeline

import (
	"context"
	"encoding/json"
)

// The detail types CodePipeline publishes on the default event bus.
const (
	detailPipeline = "CodePipeline Pipeline Execution State Change"
	detailStage    = "CodePipeline Stage Execution State Change"
	detailAction   = "CodePipeline Action Execution State Change"
)

type pendingEvent struct {
	account, region, detailType, pipeline string
	detail                                map[string]any
}

func (s *Service) publish(ctx context.Context, e pendingEvent) {
	if s.cfg.Events == nil {
		return
	}
	b, err := json.Marshal(e.detail)
	if err != nil {
		return
	}
	if err := s.cfg.Events.PublishEvent(context.WithoutCancel(ctx), e.account, e.region, "aws.codepipeline", e.detailType, b,
		[]string{pipelineARN(e.account, e.region, e.pipeline)}); err != nil {
		s.log.Warn("codepipeline: publish event", "detailType", e.detailType, "err", err)
	}
}

// baseDetail holds the members every CodePipeline event detail carries.
func baseDetail(ex *execRecord) map[string]any {
	return map[string]any{
		"pipeline":                   ex.Pipeline,
		"execution-id":               ex.ID,
		"start-time":                 ex.Start.UTC().Format("2006-01-02T15:04:05.000Z"),
		"version":                    float64(ex.Decl.Version),
		"pipeline-execution-attempt": float64(ex.Attempt + 1),
	}
}

func (r *run) pipelineEvent(ex *execRecord, state string) {
	d := baseDetail(ex)
	d["state"] = state
	d["execution-trigger"] = map[string]any{"trigger-type": ex.Trigger.TriggerType, "trigger-detail": ex.Trigger.TriggerDetail}
	r.events = append(r.events, pendingEvent{ex.Account, ex.Region, detailPipeline, ex.Pipeline, d})
}

func (r *run) stageEvent(ex *execRecord, si int, state string) {
	d := baseDetail(ex)
	d["stage"] = ex.Stages[si].Name
	d["state"] = state
	r.events = append(r.events, pendingEvent{ex.Account, ex.Region, detailStage, ex.Pipeline, d})
}

func (r *run) actionEvent(ex *execRecord, si, ai int, state string) {
	decl := ex.Decl.Stages[si].Actions[ai]
	a := ex.Stages[si].Actions[ai]
	d := baseDetail(ex)
	d["stage"] = ex.Stages[si].Name
	d["action"] = a.Name
	d["state"] = state
	d["region"] = ex.Region
	d["type"] = map[string]any{"owner": decl.ActionTypeID.Owner, "category": decl.ActionTypeID.Category,
		"provider": decl.ActionTypeID.Provider, "version": decl.ActionTypeID.Version}
	arts := func(list []ArtifactDetail) []any {
		out := []any{}
		for _, x := range list {
			m := map[string]any{"name": x.Name}
			if x.S3Location != nil {
				m["s3location"] = map[string]any{"bucket": x.S3Location.Bucket, "key": x.S3Location.Key}
			}
			out = append(out, m)
		}
		return out
	}
	d["input-artifacts"] = arts(a.Inputs)
	if state == "SUCCEEDED" {
		d["output-artifacts"] = arts(a.Outputs)
	}
	if state != "STARTED" {
		res := map[string]any{}
		if a.ExternalID != "" {
			res["external-execution-id"] = a.ExternalID
		}
		if a.Summary != "" {
			res["external-execution-summary"] = a.Summary
		}
		if a.Error != nil {
			res["error-code"] = a.Error.Code
			res["external-execution-summary"] = a.Error.Message
		}
		if len(res) > 0 {
			d["execution-result"] = res
		}
	}
	r.events = append(r.events, pendingEvent{ex.Account, ex.Region, detailAction, ex.Pipeline, d})
}
