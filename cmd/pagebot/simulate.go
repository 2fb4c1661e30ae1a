package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// devAppSecret signs simulated events when no app secret is configured. A
// pagebot started without facebook.app_secret accepts it (dry-run only).
const devAppSecret = "pagebot-dev-secret"

func newSimulateCmd(g *globals) *cobra.Command {
	var (
		url, pageID, sender, name, secret string
		message, edit                     bool
	)
	cmd := &cobra.Command{
		Use:   "simulate [--url URL] [--message] TEXTE…",
		Short: "Envoie des événements signés (commentaires ou messages) à un pagebot en marche, pour une démonstration ou un test",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, _, err := g.load()
			if err != nil {
				return err
			}
			if secret == "" {
				secret = c.Facebook.AppSecret
			}
			if secret == "" {
				secret = devAppSecret
			}
			if pageID == "" {
				pageID = c.Facebook.PageID
			}
			if pageID == "" {
				pageID = "1000000000001"
			}
			if url == "" {
				url = "http://" + c.HTTP.Listen + "/webhook"
			}
			client := &http.Client{Timeout: 10 * time.Second}
			for i, text := range args {
				body := samplePayload(pageID, sender, name, text, message, edit, time.Now(), i)
				status, reply, err := postSigned(client, url, secret, body)
				if err != nil {
					return fmt.Errorf("envoi à %s : %w", url, err)
				}
				fmt.Fprintf(g.stdout, "%d %s\n", status, strings.TrimSpace(reply))
				if status != http.StatusOK {
					return exitError(1)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "url", "", "adresse du webhook (défaut : http://<http.listen>/webhook)")
	cmd.Flags().StringVar(&pageID, "page", "", "identifiant de la Page (défaut : facebook.page_id)")
	cmd.Flags().StringVar(&sender, "from", "2000000000002", "identifiant de l'auteur (PSID pour un message)")
	cmd.Flags().StringVar(&name, "name", "Camille Martin", "nom de l'auteur d'un commentaire")
	cmd.Flags().StringVar(&secret, "secret", "", "secret de l'application pour signer (défaut : facebook.app_secret)")
	cmd.Flags().BoolVar(&message, "message", false, "un message privé Messenger au lieu d'un commentaire")
	cmd.Flags().BoolVar(&edit, "edit", false, "une modification de commentaire (verb edited)")
	return cmd
}

// samplePayload builds a webhook body in Meta's shape for one comment or
// message; n makes ids unique within one run.
func samplePayload(pageID, sender, name, text string, message, edit bool, now time.Time, n int) []byte {
	var v any
	if message {
		v = map[string]any{"object": "page", "entry": []any{map[string]any{
			"id": pageID, "time": now.UnixMilli(),
			"messaging": []any{map[string]any{
				"sender": map[string]any{"id": sender}, "recipient": map[string]any{"id": pageID},
				"timestamp": now.UnixMilli(),
				"message":   map[string]any{"mid": fmt.Sprintf("m_sim_%d_%d", now.UnixNano(), n), "text": text},
			}},
		}}}
	} else {
		verb := "add"
		commentID := fmt.Sprintf("%s_%d%d", "900000000001", now.UnixNano(), n)
		if edit {
			verb = "edited"
		}
		v = map[string]any{"object": "page", "entry": []any{map[string]any{
			"id": pageID, "time": now.Unix(),
			"changes": []any{map[string]any{"field": "feed", "value": map[string]any{
				"item": "comment", "verb": verb, "comment_id": commentID,
				"post_id": pageID + "_900000000001", "parent_id": pageID + "_900000000001",
				"from": map[string]any{"id": sender, "name": name}, "message": text, "created_time": now.Unix(),
			}}},
		}}}
	}
	b, _ := json.Marshal(v)
	return b
}

// postSigned sends body with its X-Hub-Signature-256, as Meta does.
func postSigned(c *http.Client, url, secret string, body []byte) (int, string, error) {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	res, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	return res.StatusCode, string(reply), nil
}
