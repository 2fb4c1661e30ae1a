package kb

import (
	"encoding/json"
)

// Change is what turns one version of a FAQ into another: the entries put
// (added or edited) and deleted, each with the version it replaces, so that
// a shared store can refuse a change made on a stale copy instead of
// silently undoing a colleague's edit made through another replica.
type Change struct {
	Organism string
	Reviewed string
	// Puts are added or edited entries; Old is nil for an added entry.
	Puts []EntryChange
	// Deletes are the removed entries, as they were.
	Deletes []Entry
	// Order is the ids of the new version in order, so that the store keeps
	// the order staff see the entries in.
	Order []string
}

// EntryChange is one entry added or edited.
type EntryChange struct {
	Old *Entry
	New Entry
}

// Empty reports whether the change touches no entry (its organism, date or
// order may still differ).
func (c Change) Empty() bool { return len(c.Puts) == 0 && len(c.Deletes) == 0 }

// Diff returns the change from base to next. A nil base is an empty FAQ.
func Diff(base, next *FAQ) Change {
	if base == nil {
		base = &FAQ{}
	}
	c := Change{Organism: next.Organism, Reviewed: next.Reviewed}
	old := make(map[string]Entry, len(base.Entries))
	for _, e := range base.Entries {
		old[e.ID] = e
	}
	seen := make(map[string]bool, len(next.Entries))
	for _, e := range next.Entries {
		seen[e.ID] = true
		c.Order = append(c.Order, e.ID)
		o, ok := old[e.ID]
		switch {
		case !ok:
			c.Puts = append(c.Puts, EntryChange{New: e})
		case !SameEntry(o, e):
			c.Puts = append(c.Puts, EntryChange{Old: &o, New: e})
		}
	}
	for _, e := range base.Entries {
		if !seen[e.ID] {
			c.Deletes = append(c.Deletes, e)
		}
	}
	return c
}

// SameEntry reports whether two entries say the same thing. Nil and empty
// lists are the same, as they are once stored.
func SameEntry(a, b Entry) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
