package graph

import (
	"context"
	"fmt"
	"time"

	fb "github.com/huandu/facebook/v2"
)

// Usage is the Page's API budget as Graph last reported it in the
// X-App-Usage, X-Page-Usage and X-Business-Use-Case-Usage headers. Graph
// throttles at 100 %; the worker reads Usage to slow down before that.
type Usage struct {
	// Percent is the highest call_count, total_time or total_cputime
	// percentage in the last answer's usage headers.
	Percent int
	// RegainAccess is the longest estimated_time_to_regain_access in that
	// answer, counted from At; zero when not throttled.
	RegainAccess time.Duration
	// At is when the answer arrived; zero before the first one.
	At time.Time
}

// usageFrom reduces huandu/facebook's parsed headers to a Usage.
func usageFrom(u *fb.UsageInfo, at time.Time) Usage {
	out := Usage{At: at}
	add := func(r fb.RateLimiting) {
		out.Percent = max(out.Percent, r.CallCount, r.TotalTime, r.TotalCPUTime)
		out.RegainAccess = max(out.RegainAccess, time.Duration(r.EstimatedTimeToRegainAccess)*time.Minute)
	}
	add(u.App)
	add(u.Page)
	for _, limits := range u.BusinessUseCase {
		for _, r := range limits {
			if r != nil {
				add(*r)
			}
		}
	}
	return out
}

// Usage returns the last usage Graph reported.
func (c *Client) Usage() Usage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.usage
}

func (c *Client) setUsage(u Usage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.usage = u
}

// Throttle makes calls wait when Graph reports the Page near its limit, so
// that the bot slows down instead of being blocked for up to an hour. The
// default waits 10 s before each call while usage is at 90 % or more, and at
// most 1 min for Graph's estimated time to regain access.
type Throttle struct {
	// Threshold is the usage percentage from which calls wait.
	Threshold int
	// Wait is how long a call waits when usage is at or above Threshold.
	Wait time.Duration
	// MaxWait bounds any wait. When Graph's estimated time to regain access
	// is further away than MaxWait, calls fail at once with a RateLimited
	// error instead of being sent.
	MaxWait time.Duration
}

// defaultThrottle is used unless WithThrottle says otherwise.
var defaultThrottle = Throttle{Threshold: 90, Wait: 10 * time.Second, MaxWait: time.Minute}

func (t Throttle) withDefaults() Throttle {
	d := defaultThrottle
	if t.Threshold <= 0 {
		t.Threshold = d.Threshold
	}
	if t.Wait <= 0 {
		t.Wait = d.Wait
	}
	if t.MaxWait <= 0 {
		t.MaxWait = max(d.MaxWait, t.Wait)
	}
	return t
}

// wait blocks before a request while the last reported usage says so.
func (c *Client) wait(ctx context.Context, op string) *Error {
	u := c.Usage()
	var d time.Duration
	if u.RegainAccess > 0 {
		d = time.Until(u.At.Add(u.RegainAccess))
		if d > c.throttle.MaxWait {
			return &Error{
				Op: op, Class: RateLimited, RegainAccess: d,
				Message: fmt.Sprintf("not sent: Page usage limit reached (%d %%)", u.Percent),
			}
		}
	}
	if d <= 0 && u.Percent >= c.throttle.Threshold {
		d = min(c.throttle.Wait, c.throttle.MaxWait)
	}
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		err := ctx.Err()
		return &Error{Op: op, Class: Transient, Message: "not sent: waiting for usage to drop: " + err.Error(), err: err}
	}
}
