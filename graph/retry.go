package graph

import (
	"context"
	"errors"
	"time"

	"github.com/cenkalti/backoff/v5"
	fb "github.com/huandu/facebook/v2"
)

// RetryPolicy bounds how a Client retries one call. Delays are jittered by
// ±50 % so that workers that failed together do not retry together.
//
// The default is 4 requests, about 1 s, 2 s and 4 s apart for transient
// errors (at most 30 s), 30 s, 60 s… for rate limits, and at most 2 min of
// waiting for a rate limit.
type RetryPolicy struct {
	// Attempts is the most HTTP requests made for one call, first included.
	Attempts int
	// Delay is the wait after the first Transient error, doubled after each
	// further one up to MaxDelay.
	Delay, MaxDelay time.Duration
	// RateLimitDelay is the wait after the first RateLimited error, doubled
	// after each further one; Graph's estimated time to regain access
	// replaces it when longer.
	RateLimitDelay time.Duration
	// MaxRateLimitWait is the longest a call waits for a rate limit. When
	// Graph estimates a longer time, the client gives up at once and returns
	// the RateLimited error, whose RegainAccess tells the caller when to come
	// back, rather than hold a worker.
	MaxRateLimitWait time.Duration
}

// defaultRetryPolicy is used unless WithRetry says otherwise.
var defaultRetryPolicy = RetryPolicy{
	Attempts:         4,
	Delay:            time.Second,
	MaxDelay:         30 * time.Second,
	RateLimitDelay:   30 * time.Second,
	MaxRateLimitWait: 2 * time.Minute,
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	d := defaultRetryPolicy
	if p.Attempts <= 0 {
		p.Attempts = d.Attempts
	}
	if p.Delay <= 0 {
		p.Delay = d.Delay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = max(d.MaxDelay, p.Delay)
	}
	if p.RateLimitDelay <= 0 {
		p.RateLimitDelay = d.RateLimitDelay
	}
	if p.MaxRateLimitWait <= 0 {
		p.MaxRateLimitWait = max(d.MaxRateLimitWait, p.RateLimitDelay)
	}
	return p
}

// retryable says whether the client may resend r after e.
func retryable(r request, e *Error) bool {
	switch e.Class {
	case Transient:
		return r.idempotent || !e.MaybeDone
	case RateLimited:
		return true
	}
	return false
}

// policyBackOff is a backoff.BackOff whose delay depends on the class of the
// last error: short for Transient, long for RateLimited, and backoff.Stop
// when Graph asks for a longer wait than the policy allows.
type policyBackOff struct {
	p                      RetryPolicy
	transient, rateLimited backoff.ExponentialBackOff
	last                   *Error
}

func newPolicyBackOff(p RetryPolicy) *policyBackOff {
	exp := func(initial, maxInterval time.Duration) backoff.ExponentialBackOff {
		return backoff.ExponentialBackOff{
			InitialInterval:     initial,
			RandomizationFactor: 0.5,
			Multiplier:          2,
			MaxInterval:         maxInterval,
		}
	}
	return &policyBackOff{
		p:           p,
		transient:   exp(p.Delay, p.MaxDelay),
		rateLimited: exp(p.RateLimitDelay, p.MaxRateLimitWait),
	}
}

func (b *policyBackOff) Reset() {
	b.transient.Reset()
	b.rateLimited.Reset()
}

func (b *policyBackOff) NextBackOff() time.Duration {
	if b.last == nil || b.last.Class != RateLimited {
		return b.transient.NextBackOff()
	}
	if b.last.RegainAccess > b.p.MaxRateLimitWait {
		return backoff.Stop
	}
	d := max(b.rateLimited.NextBackOff(), b.last.RegainAccess)
	return min(d, b.p.MaxRateLimitWait)
}

// send makes r, waiting first if the Page is near its usage limit, and
// retries it according to the policy and the retry contract of Client.
func (c *Client) send(ctx context.Context, r request) (fb.Result, error) {
	b := newPolicyBackOff(c.retry)
	op := func() (fb.Result, error) {
		if err := c.wait(ctx, r.op); err != nil {
			b.last = err
			return nil, backoff.Permanent(err)
		}
		res, err := c.attempt(ctx, r)
		if err != nil {
			b.last = err
			if !retryable(r, err) || ctx.Err() != nil {
				return nil, backoff.Permanent(err)
			}
			return nil, err
		}
		return res, nil
	}
	res, err := backoff.Retry(ctx, op,
		backoff.WithBackOff(b),
		backoff.WithMaxTries(uint(c.retry.Attempts)),
		backoff.WithMaxElapsedTime(0))
	if err == nil {
		return res, nil
	}
	if b.last == nil {
		// Only a context error can get here, before anything was tried.
		return nil, &Error{Op: r.op, Class: Transient, Message: err.Error(), err: err}
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(b.last, ctxErr) {
		// Stopped while waiting to retry: keep the last Graph error and say
		// why we stopped.
		last := *b.last
		last.err = errors.Join(b.last.err, ctxErr)
		return nil, &last
	}
	return nil, b.last
}
