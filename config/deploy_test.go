package config_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"pagebot/config"
)

// TestComposeExample keeps deploy/compose.yaml and deploy/env.example in
// step with the configuration: the file parses, both replicas share one
// PostgreSQL store, and every PAGEBOT_ variable they set is one pagebot
// accepts. (No container engine runs here; this is what can be checked.)
func TestComposeExample(t *testing.T) {
	data, err := os.ReadFile("../deploy/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		XPagebot struct {
			Environment map[string]string `yaml:"environment"`
			EnvFile     string            `yaml:"env_file"`
		} `yaml:"x-pagebot"`
		Services map[string]struct {
			Image   string   `yaml:"image"`
			Volumes []string `yaml:"volumes"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &compose); err != nil {
		t.Fatalf("deploy/compose.yaml: %v", err)
	}
	for _, name := range []string{"postgres", "pagebot-1", "pagebot-2", "lb"} {
		if _, ok := compose.Services[name]; !ok {
			t.Errorf("deploy/compose.yaml has no service %q", name)
		}
	}
	if compose.Services["pagebot-1"].Volumes[0] == compose.Services["pagebot-2"].Volumes[0] {
		t.Error("the two replicas share a data volume; each needs its own index")
	}
	env := compose.XPagebot.Environment
	if !strings.HasPrefix(env["PAGEBOT_STORE_DSN"], "postgres://") {
		t.Errorf("replicas' PAGEBOT_STORE_DSN = %q, want a postgres:// DSN", env["PAGEBOT_STORE_DSN"])
	}
	environ := []string{"PAGEBOT_STORE_DSN=postgres://pagebot:x@postgres:5432/pagebot?sslmode=disable"}
	for k, v := range env {
		if k != "PAGEBOT_STORE_DSN" {
			environ = append(environ, k+"="+v)
		}
	}
	f, err := os.Open("../deploy/env.example")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "PAGEBOT_") {
			environ = append(environ, line)
		}
	}
	c, _, err := config.Load("", environ)
	if err != nil {
		t.Fatalf("the replicas' environment is refused: %v", err)
	}
	if c.HTTP.Listen != "0.0.0.0:8080" || c.HTTP.ClientIPHeader != "X-Real-IP" {
		t.Errorf("replicas' http settings read as %+v", c.HTTP)
	}
}
