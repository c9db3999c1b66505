package demo

import (
	"context"
	"fmt"

	"leadflow/internal/access"
	"leadflow/internal/lead"
	"leadflow/internal/mailtmpl"
	"leadflow/internal/nurture"
)

// seedNurture writes two email templates and a sequence for the leads
// sales sends back to nurturing, and enrols the demo's nurturing leads
// that gave consent. Without email configured their first step waits,
// as the sequence page says.
func seedNurture(ctx context.Context, svc *nurture.Service, leads *lead.Service, admin access.Actor) error {
	if svc == nil {
		return nil
	}
	welcome, err := svc.SaveTemplate(ctx, admin, mailtmpl.Template{Name: "Still with you", Subject: "{{first_name|Hello}}, a few ideas while you plan",
		HTML: `<p>Hello {{first_name|there}},</p><p>When we last spoke, the timing was not right for {{company|your team}}. ` +
			`Meanwhile, here is <a href="https://example.com/guide">our guide to choosing a CRM</a>, in ten minutes' reading.</p>` +
			`<p>{{owner_name|The team}}</p>`})
	if err != nil {
		return fmt.Errorf("demo: template: %w", err)
	}
	story, err := svc.SaveTemplate(ctx, admin, mailtmpl.Template{Name: "Customer story", Subject: "How a team like {{company|yours}} cut onboarding to a week",
		HTML: `<p>Hello {{first_name|there}},</p><p>A logistics company of 200 people moved its sales team in a week. ` +
			`<a href="https://example.com/stories/logistics">Read how</a>, or simply reply to this email to talk.</p>`})
	if err != nil {
		return fmt.Errorf("demo: template: %w", err)
	}
	seq, err := svc.SaveSequence(ctx, admin, nurture.Sequence{Name: "Back to nurturing", Status: nurture.Active, TriggerKind: nurture.TriggerNurture,
		Steps: []nurture.Step{
			{Kind: nurture.StepEmail, TemplateID: welcome.ID},
			{Kind: nurture.StepWait, Days: 7},
			{Kind: nurture.StepBranch, If: nurture.IfClicked, Goto: 6},
			{Kind: nurture.StepWaitUntil, Weekday: "tue", Hour: 10},
			{Kind: nurture.StepEmail, TemplateID: story.ID},
		}})
	if err != nil {
		return fmt.Errorf("demo: sequence: %w", err)
	}
	page, err := leads.List(ctx, admin, lead.Filter{Stages: []lead.Stage{lead.Nurturing}, Sort: "created_at", Limit: 50}, false)
	if err != nil {
		return err
	}
	for _, l := range page.Leads {
		if !l.Consent {
			continue
		}
		if _, _, err := svc.Enrol(ctx, admin, seq.ID, l.ID, "in nurturing when the demo began"); err != nil {
			return fmt.Errorf("demo: enrol lead %d: %w", l.ID, err)
		}
	}
	return nil
}
