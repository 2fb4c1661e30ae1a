// Package alert tells the people on duty which escalations are near or past
// their due time, through a team chat's incoming webhook (Slack, Mattermost,
// Microsoft Teams) or by e-mail. A digest names counts, channels and due
// times only: the messages themselves stay in the console.
package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/smtp"
	"sort"
	"strings"
	"time"

	"pagebot"
)

// Notifier sends a digest.
type Notifier interface {
	Notify(ctx context.Context, subject, body string) error
}

// Webhook posts to a chat's incoming webhook.
type Webhook struct {
	URL string
	// Format is "slack" (also Mattermost and most chats: {"text": ...}) or
	// "teams" (a MessageCard).
	Format string
	Client *http.Client
}

// Notify posts subject and body.
func (w Webhook) Notify(ctx context.Context, subject, body string) error {
	var payload any
	switch w.Format {
	case "", "slack", "mattermost":
		payload = map[string]string{"text": "*" + subject + "*\n" + body}
	case "teams":
		payload = map[string]any{"@type": "MessageCard", "@context": "https://schema.org/extensions",
			"summary": subject, "title": subject, "text": strings.ReplaceAll(body, "\n", "<br>")}
	default:
		return fmt.Errorf("alert webhook: unknown format %q (slack, mattermost or teams)", w.Format)
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("alert webhook: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("alert webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	c := w.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	res, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("alert webhook: %w", redactURL(err, w.URL))
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("alert webhook: status %d", res.StatusCode)
	}
	return nil
}

// redactURL keeps an incoming-webhook URL, which is a secret, out of errors.
func redactURL(err error, url string) error {
	if url == "" {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), url, "<webhook URL>"))
}

// Mail sends the digest by e-mail through an SMTP server.
type Mail struct {
	Addr     string // host:port
	Username string
	Password string
	From     string
	To       []string
}

// Notify sends one message to every recipient.
func (m Mail) Notify(ctx context.Context, subject, body string) error {
	if m.Addr == "" || m.From == "" || len(m.To) == 0 {
		return errors.New("alert mail: host, from and to are required")
	}
	host, _, err := net.SplitHostPort(m.Addr)
	if err != nil {
		return fmt.Errorf("alert mail: %w", err)
	}
	var auth smtp.Auth
	if m.Username != "" {
		auth = smtp.PlainAuth("", m.Username, m.Password, host)
	}
	msg := "From: " + m.From + "\r\nTo: " + strings.Join(m.To, ", ") + "\r\nSubject: " + mimeSubject(subject) +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		strings.ReplaceAll(body, "\n", "\r\n") + "\r\n"
	done := make(chan error, 1)
	go func() { done <- smtp.SendMail(m.Addr, auth, m.From, m.To, []byte(msg)) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("alert mail: %w", err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// mimeSubject encodes a non-ASCII subject (RFC 2047).
func mimeSubject(s string) string {
	for _, r := range s {
		if r > 127 {
			return "=?utf-8?q?" + qEncode(s) + "?="
		}
	}
	return s
}

func qEncode(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		switch {
		case c == ' ':
			b.WriteByte('_')
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	return b.String()
}

// Digest builds the message about cases near or past due at now. near is
// how close to the due time a case counts as near. It returns "" when there
// is nothing to say.
func Digest(cases []pagebot.Case, now time.Time, near time.Duration, loc *time.Location) (subject, body string) {
	var past, soon []pagebot.Case
	for _, c := range cases {
		if c.Status != pagebot.CaseOpen || c.DueAt.IsZero() {
			continue
		}
		switch {
		case !c.DueAt.After(now):
			past = append(past, c)
		case c.DueAt.Sub(now) <= near:
			soon = append(soon, c)
		}
	}
	if len(past) == 0 && len(soon) == 0 {
		return "", ""
	}
	sort.Slice(past, func(i, j int) bool { return past[i].DueAt.Before(past[j].DueAt) })
	sort.Slice(soon, func(i, j int) bool { return soon[i].DueAt.Before(soon[j].DueAt) })
	subject = fmt.Sprintf("pagebot : %d dossier(s) en retard, %d à traiter bientôt", len(past), len(soon))
	var b strings.Builder
	list := func(title string, cs []pagebot.Case) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s :\n", title)
		for i, c := range cs {
			if i == 10 {
				fmt.Fprintf(&b, "- … et %d autre(s)\n", len(cs)-10)
				break
			}
			fmt.Fprintf(&b, "- dossier n° %d (%s), échéance %s\n", c.ID, channelName(c.Channel), c.DueAt.In(loc).Format("02/01 à 15:04"))
		}
	}
	list("En retard", past)
	list("Échéance proche", soon)
	b.WriteString("Détails dans la console, rubrique Escalades.")
	return subject, b.String()
}

func channelName(c pagebot.Channel) string {
	if c == pagebot.ChannelMessage {
		return "message privé"
	}
	return "commentaire"
}
