// Package faqsync keeps every replica's Bleve index in step with the FAQ
// stored in a shared database. The database is the source of truth: an edit
// made in one replica's console is written there as a change (kb.Change)
// that names the version it replaces, and every replica, told by the store
// (PostgreSQL LISTEN/NOTIFY), reloads the FAQ and rebuilds its index.
//
// A Syncer stands between the console and the index. It serialises the
// console's edits with the reloads, so that an edit not yet saved is never
// undone by a reload, and it remembers the FAQ as last read from or written
// to the database (the base): what the console saves is the difference
// between that base and the index, so an edit made here never undoes an
// edit made meanwhile through another replica, and an edit of an entry that
// changed meanwhile is refused (ECONFLICT) instead of overwriting it.
package faqsync

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"pagebot/follow"
	"pagebot/kb"
)

// Store is the shared FAQ: *postgres.DB.
type Store interface {
	// LoadFAQ returns the stored FAQ and its revision (nil, 0 when none).
	LoadFAQ(ctx context.Context) (*kb.FAQ, int64, error)
	// ChangeFAQ applies a change and returns the new revision; ECONFLICT
	// when an entry is no longer the version the change replaces.
	ChangeFAQ(ctx context.Context, c kb.Change) (int64, error)
	// FAQRevision returns the stored revision.
	FAQRevision(ctx context.Context) (int64, error)
}

// Index is the live index: *kb.Index.
type Index interface {
	FAQ() *kb.FAQ
	Put(e kb.Entry) error
	Delete(id string) error
	Replace(faq *kb.FAQ) error
	Search(text string, k int) (*kb.Result, error)
}

// Syncer keeps an index in step with a store. Its methods make it the
// console's FAQ index (Put, Delete, Replace, FAQ, Search) and saver
// (SaveFAQ).
type Syncer struct {
	store Store
	index Index
	log   logrus.FieldLogger

	mu   sync.Mutex // held by edits, saves and reloads
	base *kb.FAQ    // the FAQ as last read from or written to the store
	rev  int64      // its revision
}

// New returns a syncer for an index built from faq, the store's revision
// rev (as LoadFAQ returned them).
func New(store Store, index Index, faq *kb.FAQ, rev int64, log logrus.FieldLogger) *Syncer {
	return &Syncer{store: store, index: index, log: log, base: faq, rev: rev}
}

// FAQ returns the FAQ the index serves.
func (s *Syncer) FAQ() *kb.FAQ { return s.index.FAQ() }

// Search searches the index.
func (s *Syncer) Search(text string, k int) (*kb.Result, error) { return s.index.Search(text, k) }

// Put puts an entry in the index; SaveFAQ stores it.
func (s *Syncer) Put(e kb.Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.index.Put(e)
}

// Delete deletes an entry from the index; SaveFAQ stores the deletion.
func (s *Syncer) Delete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.index.Delete(id)
}

// Replace replaces the whole FAQ in the index (an import); SaveFAQ stores
// it.
func (s *Syncer) Replace(faq *kb.FAQ) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.index.Replace(faq)
}

// SaveFAQ stores what changed between the base and faq (the console passes
// the index's FAQ after an edit). On ECONFLICT nothing is stored; the
// console puts the index back as it was and the next reload brings the
// colleague's version.
func (s *Syncer) SaveFAQ(faq *kb.FAQ) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := kb.Diff(s.base, faq)
	if c.Empty() && c.Organism == s.base.Organism && c.Reviewed == s.base.Reviewed && sameOrder(s.base, c.Order) {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rev, err := s.store.ChangeFAQ(ctx, c)
	if err != nil {
		return err
	}
	if rev == s.rev+1 {
		// Nobody else changed the FAQ since our base: faq is revision rev.
		s.base, s.rev = copyFAQ(faq), rev
	} else {
		// Others did: the base, hence its revision, is still ours plus
		// this change; the next Refresh reads theirs.
		s.base = copyFAQ(faq)
	}
	return nil
}

// Refresh reloads the stored FAQ if its revision moved and rebuilds the
// index with it. An entry edited in the index but not yet saved keeps its
// edit (the save that follows stores it).
func (s *Syncer) Refresh(ctx context.Context) error {
	rev, err := s.store.FAQRevision(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if rev == s.rev {
		return nil
	}
	stored, rev, err := s.store.LoadFAQ(ctx)
	if err != nil {
		return err
	}
	if stored == nil {
		return errors.New("refresh faq: the stored FAQ has disappeared")
	}
	cur := s.index.FAQ()
	next := merge(stored, kb.Diff(s.base, cur))
	changed := !kb.Diff(cur, next).Empty() || !sameOrder(cur, idsOf(next)) || cur.Organism != next.Organism
	if changed {
		if err := s.index.Replace(next); err != nil {
			return fmt.Errorf("refresh faq: rebuild index at revision %d: %w", rev, err)
		}
	}
	s.base, s.rev = stored, rev
	if s.log != nil {
		s.log.WithFields(logrus.Fields{"revision": rev, "entries": len(next.Entries), "rebuilt": changed}).Info("faq reloaded from the store")
	}
	return nil
}

// Revision returns the revision the index was last synchronised with.
func (s *Syncer) Revision() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rev
}

// Run refreshes the index whenever watch says the FAQ may have changed,
// every poll as well (a safety net for a lost notification), and a second
// after a failed refresh, until ctx is done (see package follow).
func (s *Syncer) Run(ctx context.Context, watch follow.Watcher, poll time.Duration) {
	follow.Run(ctx, watch, poll, s.Refresh, s.log, "faq")
}

// merge applies the local, unsaved edits (local, a change from the base)
// to the stored FAQ.
func merge(stored *kb.FAQ, local kb.Change) *kb.FAQ {
	out := copyFAQ(stored)
	if local.Empty() {
		return out
	}
	put := make(map[string]kb.Entry, len(local.Puts))
	for _, p := range local.Puts {
		put[p.New.ID] = p.New
	}
	del := make(map[string]bool, len(local.Deletes))
	for _, d := range local.Deletes {
		del[d.ID] = true
	}
	entries := out.Entries[:0]
	for _, e := range out.Entries {
		if del[e.ID] {
			continue
		}
		if n, ok := put[e.ID]; ok {
			e = n
			delete(put, e.ID)
		}
		entries = append(entries, e)
	}
	for _, p := range local.Puts { // added here, not stored yet
		if n, ok := put[p.New.ID]; ok {
			entries = append(entries, n)
		}
	}
	out.Entries = entries
	return out
}

func copyFAQ(f *kb.FAQ) *kb.FAQ {
	c := *f
	c.Entries = append([]kb.Entry(nil), f.Entries...)
	return &c
}

func idsOf(f *kb.FAQ) []string {
	ids := make([]string, len(f.Entries))
	for i, e := range f.Entries {
		ids[i] = e.ID
	}
	return ids
}

func sameOrder(f *kb.FAQ, order []string) bool {
	if len(f.Entries) != len(order) {
		return false
	}
	for i, e := range f.Entries {
		if e.ID != order[i] {
			return false
		}
	}
	return true
}
