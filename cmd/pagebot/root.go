package main

import (
	"io"
	"os"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"pagebot/config"
)

// environOverride, when not nil, replaces the process environment: tests
// run commands with an environment of their own.
var environOverride []string

// globals are the options every subcommand shares.
type globals struct {
	configFile string
	stdin      io.Reader
	stdout     io.Writer
	stderr     io.Writer
	environ    []string
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stdin: stdin, stdout: stdout, stderr: stderr, environ: os.Environ()}
	if environOverride != nil {
		g.environ = environOverride
	}
	root := &cobra.Command{
		Use:           "pagebot",
		Short:         "Bot de la page Facebook d'une caisse de sécurité sociale",
		Long:          "pagebot répond au public sur la page Facebook d'une caisse (CAF, CPAM, CARSAT…) : réponses de niveau 1 tirées de la FAQ, réorientations, escalades vers les conseillers.",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: false,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&g.configFile, "config", "", "fichier de configuration (défaut : ./pagebot.yaml puis /etc/pagebot/pagebot.yaml)")
	root.AddCommand(newServeCmd(g), newAskCmd(g), newEvalCmd(g), newKBCmd(g), newSimulateCmd(g), newOutboxCmd(g), newScheduleCmd(g), newPurgeCmd(g), newUserCmd(g), newTokenCmd(g), newHealthCmd(g))
	return root
}

// load reads the configuration.
func (g *globals) load() (config.Config, string, error) {
	return config.Load(g.configFile, g.environ)
}

// logger builds the logger: text on a terminal, JSON otherwise.
func (g *globals) logger(c config.Config) *logrus.Logger {
	l := logrus.New()
	l.SetOutput(g.stderr)
	lvl, err := logrus.ParseLevel(c.Log.Level)
	if err != nil {
		lvl = logrus.InfoLevel
	}
	l.SetLevel(lvl)
	format := c.Log.Format
	if format == "auto" {
		format = "json"
		if f, ok := g.stderr.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if format == "json" {
		l.SetFormatter(&logrus.JSONFormatter{})
	} else {
		l.SetFormatter(&logrus.TextFormatter{FullTimestamp: true})
	}
	return l
}
