package pagebot

import "time"

// Completion is what a worker records when it has handled an event: the
// outbox actions and the escalation case, checked and normalised the same
// way by every store.
type Completion struct {
	Actions []OutboxAction
	// Case is nil when the event opens none.
	Case *Case
}

// PrepareCompletion checks and normalises what CompleteEvent stores for
// event eventID at now (already truncated to the store's precision; trunc
// truncates other times the same way): actions default to pending and may
// only be pending or draft, need a kind and a target, and start with no
// attempt, result or error; a case is created open. Returns EINVALID for
// anything that cannot be stored.
func PrepareCompletion(eventID int64, now time.Time, trunc func(time.Time) time.Time,
	d *Decision, actions []OutboxAction, c *Case) (Completion, error) {
	var out Completion
	out.Actions = make([]OutboxAction, len(actions))
	for i, a := range actions {
		if a.Status == "" {
			a.Status = OutboxPending
		}
		if a.Status != OutboxPending && a.Status != OutboxDraft {
			return Completion{}, Errorf(EINVALID, "Action %d : statut %q impossible à la création.", i, a.Status)
		}
		if a.Kind == "" || a.Target == "" {
			return Completion{}, Errorf(EINVALID, "Action %d : type et cible obligatoires.", i)
		}
		a.EventID, a.Attempts, a.Result, a.Error = eventID, 0, "", ""
		a.CreatedAt, a.UpdatedAt = now, now
		a.NextAt = trunc(a.NextAt)
		if a.NextAt.IsZero() {
			a.NextAt = now
		}
		out.Actions[i] = a
	}
	if c != nil {
		kase := *c
		kase.EventID = eventID
		if kase.Status == "" {
			kase.Status = CaseOpen
		}
		if kase.Status != CaseOpen {
			return Completion{}, Errorf(EINVALID, "Un dossier est créé ouvert.")
		}
		kase.CreatedAt = trunc(kase.CreatedAt)
		if kase.CreatedAt.IsZero() {
			kase.CreatedAt = now
		}
		kase.DueAt, kase.ClosedAt, kase.CloseNote = trunc(kase.DueAt), time.Time{}, ""
		out.Case = &kase
	}
	if d != nil && !d.Action.Valid() {
		return Completion{}, Errorf(EINVALID, "Décision %q inconnue.", d.Action)
	}
	return out, nil
}
