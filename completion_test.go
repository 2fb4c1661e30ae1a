package pagebot

import (
	"testing"
	"time"
)

func TestPrepareCompletion(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	id := func(t time.Time) time.Time { return t }
	tests := []struct {
		name    string
		d       *Decision
		actions []OutboxAction
		c       *Case
		wantErr bool
	}{
		{"defaults", &Decision{Action: ActionAnswer}, []OutboxAction{{Kind: OutboxReplyComment, Target: "c1", Attempts: 3, Error: "x"}}, &Case{}, false},
		{"draft allowed", nil, []OutboxAction{{Kind: OutboxSendMessage, Target: "u", Status: OutboxDraft}}, nil, false},
		{"done refused", nil, []OutboxAction{{Kind: OutboxSendMessage, Target: "u", Status: OutboxDone}}, nil, true},
		{"no target", nil, []OutboxAction{{Kind: OutboxSendMessage}}, nil, true},
		{"closed case", nil, nil, &Case{Status: CaseClosed}, true},
		{"bad decision", &Decision{Action: "maybe"}, nil, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := PrepareCompletion(7, now, id, tc.d, tc.actions, tc.c)
			if (err != nil) != tc.wantErr {
				t.Fatalf("PrepareCompletion error = %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				if ErrorCode(err) != EINVALID {
					t.Errorf("error code = %q, want %q", ErrorCode(err), EINVALID)
				}
				return
			}
			for _, a := range got.Actions {
				if a.EventID != 7 || a.Attempts != 0 || a.Error != "" || !a.NextAt.Equal(now) || (a.Status != OutboxPending && a.Status != OutboxDraft) {
					t.Errorf("action = %+v, want event 7, no attempt, due now, pending or draft", a)
				}
			}
			if tc.c != nil && (got.Case == nil || got.Case.Status != CaseOpen || !got.Case.CreatedAt.Equal(now) || got.Case.EventID != 7) {
				t.Errorf("case = %+v, want an open case of event 7 created now", got.Case)
			}
		})
	}
}
