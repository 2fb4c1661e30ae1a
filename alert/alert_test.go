package alert

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"pagebot"
)

func TestDigest(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	cases := []pagebot.Case{
		{ID: 1, Status: pagebot.CaseOpen, Channel: pagebot.ChannelMessage, DueAt: now.Add(-time.Hour), Text: "[téléphone masqué] secret"},
		{ID: 2, Status: pagebot.CaseOpen, Channel: pagebot.ChannelComment, DueAt: now.Add(time.Hour)},
		{ID: 3, Status: pagebot.CaseOpen, DueAt: now.Add(48 * time.Hour)},
		{ID: 4, Status: pagebot.CaseClosed, DueAt: now.Add(-time.Hour)},
	}
	subject, body := Digest(cases, now, 2*time.Hour, time.UTC)
	if subject != "pagebot : 1 dossier(s) en retard, 1 à traiter bientôt" {
		t.Errorf("subject = %q", subject)
	}
	for _, want := range []string{"dossier n° 1 (message privé), échéance 27/11 à 09:00", "dossier n° 2 (commentaire)"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "n° 3") || strings.Contains(body, "n° 4") || strings.Contains(body, "secret") {
		t.Errorf("body names a case it should not, or message text:\n%s", body)
	}
	if s, _ := Digest(cases[2:], now, 2*time.Hour, time.UTC); s != "" {
		t.Errorf("Digest with nothing due = %q, want empty", s)
	}
}

func TestWebhookFormats(t *testing.T) {
	for _, format := range []string{"slack", "teams"} {
		t.Run(format, func(t *testing.T) {
			var got map[string]any
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_ = json.NewDecoder(r.Body).Decode(&got)
			}))
			defer srv.Close()
			if err := (Webhook{URL: srv.URL, Format: format}).Notify(context.Background(), "Sujet", "ligne 1\nligne 2"); err != nil {
				t.Fatal(err)
			}
			switch format {
			case "slack":
				if got["text"] != "*Sujet*\nligne 1\nligne 2" {
					t.Errorf("slack payload = %v", got)
				}
			case "teams":
				if got["@type"] != "MessageCard" || got["title"] != "Sujet" || got["text"] != "ligne 1<br>ligne 2" {
					t.Errorf("teams payload = %v", got)
				}
			}
		})
	}
	err := Webhook{URL: "http://127.0.0.1:1/secret-hook-token", Format: "slack"}.Notify(context.Background(), "s", "b")
	if err == nil || strings.Contains(err.Error(), "secret-hook-token") {
		t.Errorf("error = %v, want one without the webhook URL", err)
	}
}

// fakeSMTP accepts one message and returns what was sent in DATA.
func fakeSMTP(t *testing.T) (string, <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan string, 1)
	go func() {
		defer ln.Close()
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		io.WriteString(c, "220 fake\r\n")
		var data strings.Builder
		inData := false
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if inData {
				if line == ".\r\n" {
					inData = false
					io.WriteString(c, "250 ok\r\n")
					out <- data.String()
					continue
				}
				data.WriteString(line)
				continue
			}
			switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
			case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
				io.WriteString(c, "250 fake\r\n")
			case strings.HasPrefix(cmd, "DATA"):
				inData = true
				io.WriteString(c, "354 go\r\n")
			case strings.HasPrefix(cmd, "QUIT"):
				io.WriteString(c, "221 bye\r\n")
				return
			default:
				io.WriteString(c, "250 ok\r\n")
			}
		}
	}()
	return ln.Addr().String(), out
}

func TestMail(t *testing.T) {
	addr, sent := fakeSMTP(t)
	m := Mail{Addr: addr, From: "pagebot@caf.example", To: []string{"equipe@caf.example"}}
	if err := m.Notify(context.Background(), "Dossiers en retard", "dossier n° 1"); err != nil {
		t.Fatal(err)
	}
	select {
	case msg := <-sent:
		for _, want := range []string{"Subject: Dossiers en retard", "To: equipe@caf.example", "dossier n° 1"} {
			if !strings.Contains(msg, want) {
				t.Errorf("mail lacks %q:\n%s", want, msg)
			}
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no mail received")
	}
	if err := (Mail{}).Notify(context.Background(), "s", "b"); err == nil {
		t.Error("Mail without settings succeeded")
	}
	if got := mimeSubject("Échéance"); got != "=?utf-8?q?=C3=89ch=C3=A9ance?=" {
		t.Errorf("mimeSubject = %q", got)
	}
}
