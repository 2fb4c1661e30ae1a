// Package graph is pagebot's client for the Facebook Graph API: the handful of
// calls the bot makes on its Page (reply to, hide and check comments, list
// the Page's own replies, send private replies and Messenger messages, hand a
// thread to the Page inbox), typed, with every failure classified (see
// Class) and a retry policy that never sends a reply twice on its own.
//
// It wraps github.com/huandu/facebook/v2 and is the only package that does.
// DryRun has the same methods and only records what would have been sent; it
// is used when no Page token is configured. Package graphtest is a fake Graph
// server for tests.
package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	fb "github.com/huandu/facebook/v2"
)

// Defaults for Config.
const (
	DefaultBaseURL    = "https://graph.facebook.com"
	DefaultAPIVersion = "v25.0"
	DefaultTimeout    = 10 * time.Second
)

// API lists the calls pagebot makes on its Page. Both *Client and *DryRun
// implement it; consumers declare their own smaller interfaces.
//
// Every method returns nil or an error that Classify understands, usually an
// *Error: Done means the goal is already reached, Dropped that the user
// cannot receive this message, Transient and RateLimited that the call may
// be tried again later, Permanent that it will not work without a fix.
type API interface {
	ReplyComment(ctx context.Context, commentID, text string) (id string, err error)
	HideComment(ctx context.Context, commentID string, hidden bool) error
	PrivateReply(ctx context.Context, commentID, text string) (messageID string, err error)
	SendMessage(ctx context.Context, psid, text string, opts SendOptions) (messageID string, err error)
	MarkSeen(ctx context.Context, psid string) error
	PassThreadToInbox(ctx context.Context, psid, metadata string) error
	Comment(ctx context.Context, commentID string) (CommentInfo, error)
	PageReplies(ctx context.Context, commentID string) (replyIDs []string, err error)
}

var (
	_ API = (*Client)(nil)
	_ API = (*DryRun)(nil)
)

// Config is what the client needs to call Graph as the Page.
type Config struct {
	// AppSecret signs every call (appsecret_proof), which Meta requires when
	// the app has "Require App Secret" on, as it should.
	AppSecret string
	// PageID is the Page the bot speaks for; messages are sent from it.
	PageID string
	// PageToken is a Page access token with pages_messaging,
	// pages_manage_engagement and pages_read_engagement.
	PageToken string
	// BaseURL is the Graph host, DefaultBaseURL unless testing; a trailing
	// slash is optional.
	BaseURL string
	// APIVersion is pinned (DefaultAPIVersion) so that Meta's version
	// upgrades happen when we choose.
	APIVersion string
	// Timeout bounds each HTTP request (DefaultTimeout); huandu/facebook has
	// none by default.
	Timeout time.Duration
}

// SendOptions change how SendMessage sends.
type SendOptions struct {
	// HumanAgent sends with MESSAGE_TAG HUMAN_AGENT, allowed up to 7 days
	// after the user's last message, for text written by a person only.
	HumanAgent bool
	// Metadata is the caller's dedupe key (at most MaxMetadataLen
	// characters). Meta returns it in the message echo, so that the caller
	// can tell whether a send whose answer was lost went through.
	Metadata string
}

// CommentInfo is what Comment reads about a comment before an action is
// redone: whether it is still there, hidden, and open to a private reply.
type CommentInfo struct {
	ID       string
	Message  string
	FromID   string
	FromName string
	IsHidden bool
	// CanReplyPrivately is false once the Page has sent its one private
	// reply, or after the 7-day window.
	CanReplyPrivately bool
}

// Option changes a Client made by New.
type Option func(*Client)

// WithRetry replaces the retry policy; zero fields keep their default.
func WithRetry(p RetryPolicy) Option {
	return func(c *Client) { c.retry = p.withDefaults() }
}

// WithThrottle replaces the throttle settings; zero fields keep their
// default.
func WithThrottle(t Throttle) Option {
	return func(c *Client) { c.throttle = t.withDefaults() }
}

// Client calls the Graph API as the Page. It is safe for concurrent use.
//
// Retry contract. A call is retried (with backoff, at most
// RetryPolicy.Attempts HTTP requests) when it failed with a Transient or
// RateLimited error and resending cannot do the action twice: Graph answered
// with an error, the connection was refused, or the call only sets a state or
// reads (HideComment, MarkSeen, Comment). When a reply, a private reply, a
// message or a handover may have taken effect without an answer (timeout,
// connection reset, HTML 5xx page), the client does not resend it: it returns
// an *Error with MaybeDone set, and the caller (the outbox) must check before
// sending again — with PageReplies for a public reply, with Comment
// (CanReplyPrivately) for a private reply, with the echo carrying
// SendOptions.Metadata for messages.
type Client struct {
	session  *fb.Session
	pageID   string
	secrets  []string
	retry    RetryPolicy
	throttle Throttle

	mu    sync.Mutex
	usage Usage
}

var versionRE = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

// New checks cfg and returns a client. It makes no call.
func New(cfg Config, opts ...Option) (*Client, error) {
	if cfg.PageToken == "" {
		return nil, errors.New("graph: page token is required (use NewDryRun when none is configured)")
	}
	if cfg.AppSecret == "" {
		return nil, errors.New("graph: app secret is required to sign calls (appsecret_proof)")
	}
	if err := checkID("new client", "page id", cfg.PageID); err != nil {
		return nil, err
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("graph: base URL %q is not an http(s) URL", base)
	}
	version := cfg.APIVersion
	if version == "" {
		version = DefaultAPIVersion
	}
	if !versionRE.MatchString(version) {
		return nil, fmt.Errorf("graph: API version %q is not of the form v25.0", version)
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if timeout < 0 {
		return nil, fmt.Errorf("graph: timeout %s is negative", timeout)
	}

	app := fb.New("", cfg.AppSecret)
	app.EnableAppsecretProof = true
	s := app.Session(cfg.PageToken)
	if err := s.EnableAppsecretProof(true); err != nil {
		return nil, fmt.Errorf("graph: enable appsecret_proof: %w", err)
	}
	s.Version = version
	s.BaseURL = strings.TrimRight(base, "/") + "/" // huandu/facebook requires the slash
	s.HttpClient = &http.Client{Timeout: timeout}
	// The proof is computed lazily and cached in the session; computing it
	// now avoids a data race between concurrent calls.
	proof := s.AppsecretProof()

	c := &Client{
		session:  s,
		pageID:   cfg.PageID,
		secrets:  []string{cfg.PageToken, cfg.AppSecret, proof},
		retry:    defaultRetryPolicy,
		throttle: defaultThrottle,
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// ReplyComment posts a public reply under a comment and returns the new
// comment's id. A 506 (duplicate) or a deleted comment gives a Done error.
func (c *Client) ReplyComment(ctx context.Context, commentID, text string) (string, error) {
	return replyComment(ctx, c.send, commentID, text)
}

// HideComment hides (or unhides) a comment from everyone but its author and
// friends. Hiding a deleted comment gives a Done error.
func (c *Client) HideComment(ctx context.Context, commentID string, hidden bool) error {
	return hideComment(ctx, c.send, commentID, hidden)
}

// PrivateReply sends the one Messenger message a Page may send in answer to a
// comment, within 7 days of it. A comment not eligible (already answered,
// too old, deleted) gives a Dropped error.
func (c *Client) PrivateReply(ctx context.Context, commentID, text string) (string, error) {
	return privateReply(ctx, c.send, c.pageID, commentID, text)
}

// SendMessage sends a Messenger text to a user, as a RESPONSE within the
// 24-hour window, or with the HUMAN_AGENT tag. Outside the window the error
// is Dropped.
func (c *Client) SendMessage(ctx context.Context, psid, text string, opts SendOptions) (string, error) {
	return sendMessage(ctx, c.send, c.pageID, psid, text, opts)
}

// MarkSeen shows the user that the Page read their messages.
func (c *Client) MarkSeen(ctx context.Context, psid string) error {
	return markSeen(ctx, c.send, c.pageID, psid)
}

// PassThreadToInbox hands the conversation to the Page inbox, where staff
// answer; metadata (optional) is shown to the receiving app.
func (c *Client) PassThreadToInbox(ctx context.Context, psid, metadata string) error {
	return passThread(ctx, c.send, c.pageID, psid, metadata)
}

// Comment reads a comment's state before an action is redone. A deleted
// comment gives a Done error: nothing is left to do on it.
func (c *Client) Comment(ctx context.Context, commentID string) (CommentInfo, error) {
	return comment(ctx, c.send, commentID)
}

// PageReplies returns the ids of the comments the Page itself posted under
// commentID (at any depth), newest first, so that the caller can tell
// whether a ReplyComment whose answer was lost went out: the reply is there
// or it is not. The Page's other replies (an earlier reply, an agent's) are
// in the list too; telling them apart is the caller's job. It reads the
// replies 100 at a time and gives a Permanent error, rather than an
// incomplete list, past 1,000. A deleted comment gives a Done error.
func (c *Client) PageReplies(ctx context.Context, commentID string) ([]string, error) {
	return pageReplies(ctx, c.send, c.pageID, commentID)
}

// attempt makes one HTTP request.
func (c *Client) attempt(ctx context.Context, r request) (fb.Result, *Error) {
	res, err := c.session.WithContext(ctx).Api(r.path, r.method, r.freshParams())
	if u := res.UsageInfo(); u != nil {
		c.setUsage(usageFrom(u, time.Now()))
	}
	if err != nil {
		return nil, c.newError(r.op, res, err)
	}
	if e := checkResult(r, res); e != nil {
		return nil, e
	}
	return res, nil
}

// newError classifies err and strips secrets from its message.
func (c *Client) newError(op string, res fb.Result, err error) *Error {
	e := &Error{Op: op, err: err}
	var fe *fb.Error
	var ue *fb.UnmarshalError
	switch {
	case errors.As(err, &fe):
		e.Code, e.Subcode, e.Type, e.TraceID = fe.Code, fe.ErrorSubcode, fe.Type, fe.TraceID
		e.Message = c.redact(fe.Message)
		e.Class = classifyGraph(op, fe)
		if u := res.UsageInfo(); u != nil {
			e.RegainAccess = usageFrom(u, time.Time{}).RegainAccess
		}
	case errors.As(err, &ue):
		// Usually an HTML error page from a proxy: Graph may have acted.
		e.Class, e.MaybeDone = Transient, true
		e.Message = fmt.Sprintf("answer is not JSON (%d bytes)", len(ue.Payload))
	case isTransport(err):
		e.Class, e.MaybeDone = Transient, !notSent(err)
		e.Message = c.redact(err.Error())
	default:
		e.Class = Permanent
		e.Message = c.redact(err.Error())
	}
	return e
}

// redact removes the token, the app secret and the proof from s.
func (c *Client) redact(s string) string {
	for _, secret := range c.secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}
