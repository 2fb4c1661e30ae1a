package webhook

import (
	"context"
	"sync"

	"pagebot"
)

// GroupCommit is a Store that saves the events of concurrent POSTs in one
// transaction. Every durable save costs a disk flush; under load, POSTs
// that arrive while a flush is under way wait for the next one and share
// it, so throughput grows with load instead of queueing behind one flush
// per request. When idle a POST is saved at once: no timer adds latency.
type GroupCommit struct {
	store    Store
	maxBatch int
	reqs     chan *saveReq
	stop     chan struct{}
	done     sync.WaitGroup
}

type saveReq struct {
	ctx    context.Context
	events []pagebot.Event
	reply  chan saveReply
}

type saveReply struct {
	inserted []pagebot.Event
	err      error
}

// NewGroupCommit starts a group committer over store; maxBatch bounds the
// events saved in one transaction. Close stops it.
func NewGroupCommit(store Store, maxBatch int) *GroupCommit {
	if maxBatch <= 0 {
		maxBatch = 500
	}
	g := &GroupCommit{store: store, maxBatch: maxBatch, reqs: make(chan *saveReq, 1024), stop: make(chan struct{})}
	g.done.Add(1)
	go g.loop()
	return g
}

// SaveEvents queues events for the next group save and waits for it.
func (g *GroupCommit) SaveEvents(ctx context.Context, events []pagebot.Event) ([]pagebot.Event, error) {
	r := &saveReq{ctx: ctx, events: events, reply: make(chan saveReply, 1)}
	select {
	case g.reqs <- r:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-g.stop:
		return nil, errClosed
	}
	select {
	case rep := <-r.reply:
		return rep.inserted, rep.err
	case <-ctx.Done():
		// The save may still happen; the POST is answered 500 and Meta
		// redelivers: the store's deduplication absorbs the repeat.
		return nil, ctx.Err()
	}
}

type closedError struct{}

func (closedError) Error() string { return "group commit closed" }

var errClosed error = closedError{}

// Close stops the committer after the saves in progress.
func (g *GroupCommit) Close() {
	close(g.stop)
	g.done.Wait()
}

func (g *GroupCommit) loop() {
	defer g.done.Done()
	for {
		var first *saveReq
		select {
		case first = <-g.reqs:
		case <-g.stop:
			return
		}
		batch := []*saveReq{first}
		n := len(first.events)
	drain:
		for n < g.maxBatch {
			select {
			case r := <-g.reqs:
				batch = append(batch, r)
				n += len(r.events)
			default:
				break drain
			}
		}
		g.save(batch, n)
	}
}

func (g *GroupCommit) save(batch []*saveReq, n int) {
	live := batch[:0]
	all := make([]pagebot.Event, 0, n)
	for _, r := range batch {
		if r.ctx.Err() != nil {
			r.reply <- saveReply{err: r.ctx.Err()}
			continue
		}
		live = append(live, r)
		all = append(all, r.events...)
	}
	if len(live) == 0 {
		return
	}
	// The save outlives any one request: it is shared.
	inserted, err := g.store.SaveEvents(context.Background(), all)
	if err != nil {
		for _, r := range live {
			r.reply <- saveReply{err: err}
		}
		return
	}
	byKey := make(map[string]pagebot.Event, len(inserted))
	for _, e := range inserted {
		byKey[e.Key] = e
	}
	for _, r := range live {
		var mine []pagebot.Event
		for _, e := range r.events {
			if ins, ok := byKey[e.Key]; ok {
				mine = append(mine, ins)
				delete(byKey, e.Key) // one request owns an inserted event
			}
		}
		r.reply <- saveReply{inserted: mine}
	}
}
