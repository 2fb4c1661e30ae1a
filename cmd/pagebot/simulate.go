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
	"sort"
	"strings"
	"sync"
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
		count, concurrency                int
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
			client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
			if count > 0 {
				r, err := loadTest(client, strings.Split(url, ","), secret, pageID, args, message, count, concurrency)
				if err != nil {
					return err
				}
				r.write(g.stdout)
				if r.failed > 0 {
					return exitError(1)
				}
				return nil
			}
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
	cmd.Flags().StringVar(&url, "url", "", "adresse du webhook (défaut : http://<http.listen>/webhook) ; en test de charge, plusieurs adresses séparées par des virgules (une par instance) reçoivent les événements à tour de rôle")
	cmd.Flags().StringVar(&pageID, "page", "", "identifiant de la Page (défaut : facebook.page_id)")
	cmd.Flags().StringVar(&sender, "from", "2000000000002", "identifiant de l'auteur (PSID pour un message)")
	cmd.Flags().StringVar(&name, "name", "Camille Martin", "nom de l'auteur d'un commentaire")
	cmd.Flags().StringVar(&secret, "secret", "", "secret de l'application pour signer (défaut : facebook.app_secret)")
	cmd.Flags().BoolVar(&message, "message", false, "un message privé Messenger au lieu d'un commentaire")
	cmd.Flags().BoolVar(&edit, "edit", false, "une modification de commentaire (verb edited)")
	cmd.Flags().IntVar(&count, "count", 0, "test de charge : envoie COUNT événements distincts (les TEXTES en alternance) et mesure le débit et la latence d'acquittement")
	cmd.Flags().IntVar(&concurrency, "concurrency", 16, "test de charge : requêtes simultanées")
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

// loadReport sums up a load test.
type loadReport struct {
	count, failed int
	elapsed       time.Duration
	latencies     []time.Duration
}

func (r loadReport) write(w io.Writer) {
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	q := func(p float64) time.Duration {
		if len(r.latencies) == 0 {
			return 0
		}
		return r.latencies[min(len(r.latencies)-1, int(p*float64(len(r.latencies))))]
	}
	fmt.Fprintf(w, "%d événements en %.2f s : %.0f événements/s, %d échecs\n", r.count, r.elapsed.Seconds(), float64(r.count)/r.elapsed.Seconds(), r.failed)
	fmt.Fprintf(w, "latence d'acquittement : p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		ms(q(0.50)), ms(q(0.90)), ms(q(0.99)), ms(q(1)))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// loadTest sends count distinct signed events with the given concurrency
// (bounded in count, so it always stops by itself) and measures how fast
// they are acknowledged. With several urls (replicas), events go to each in
// turn, as a round-robin load balancer would send them.
func loadTest(c *http.Client, urls []string, secret, pageID string, texts []string, message bool, count, concurrency int) (loadReport, error) {
	if concurrency < 1 {
		concurrency = 1
	}
	start := time.Now()
	bodies := make([][]byte, count)
	for i := range bodies {
		bodies[i] = samplePayload(pageID, fmt.Sprintf("4%011d", i), "Test", texts[i%len(texts)], message, false, start, i)
	}
	var (
		mu  sync.Mutex
		r   = loadReport{count: count}
		wg  sync.WaitGroup
		idx = make(chan int)
	)
	t0 := time.Now()
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range idx {
				t := time.Now()
				status, _, err := postSigned(c, urls[i%len(urls)], secret, bodies[i])
				d := time.Since(t)
				mu.Lock()
				if err != nil || status != http.StatusOK {
					r.failed++
				} else {
					r.latencies = append(r.latencies, d)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range bodies {
		idx <- i
	}
	close(idx)
	wg.Wait()
	r.elapsed = time.Since(t0)
	return r, nil
}
