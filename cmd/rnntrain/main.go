package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"github.com/rnntrain/rnntrain/internal/enum"
	"github.com/rnntrain/rnntrain/internal/files"
	"github.com/rnntrain/rnntrain/internal/spell"
)

func main() {
	ctx := signalContext(context.Background(), os.Stderr)
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand, in the go command's shape.
type command struct {
	Name  string
	Short string // one line for the command list
	Long  string // the full help text, after the usage line
	Usage string // the arguments after the command name
	// Flags builds the command's flag set; values land in the returned
	// run function's closure.
	Setup func(fs *flag.FlagSet, env *env) func(ctx context.Context, args []string) error
	// Saves marks a command that, stopped by a signal (ctx cancelled),
	// saves its state and returns (train, sweep): run waits for it. Any
	// other command has nothing to save and is abandoned at once.
	Saves bool
}

// env is what every command writes to.
type env struct {
	stdout, stderr io.Writer
}

// usageError marks an error as a usage error: exit status 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// usagef returns a usage error (exit status 2).
func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// unreadable reports whether err is that of a file that could not be
// read: missing, not permitted, not a regular file. A file named on the
// command line (or in a config file) that cannot be read is a failure
// (exit status 1), not a usage error: the command is well formed and
// would succeed once the file is there.
func unreadable(err error) bool {
	_, pathErr := errors.AsType[*fs.PathError](err)
	_, notRegular := errors.AsType[*files.NotRegularError](err)
	return pathErr || notRegular
}

func commands() []*command {
	return []*command{
		trainCommand(),
		evalCommand(),
		plotCommand(),
		inactivateCommand(),
		fixedpointsCommand(),
		inspectCommand(),
		fitCommand(),
		latentCommand(),
		populationsCommand(),
		truncateCommand(),
		tasksCommand(),
		benchCommand(),
		sweepCommand(),
	}
}

// run runs the command line args (the command and its arguments) and
// returns the process's exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	code, _ := runWhy(ctx, args, stdout, stderr)
	return code
}

// runWhy runs the command line args as run does and also returns, when
// the command failed, its error (printed, but for a reader of its output
// that went away; "" for a success, a stop that saved, or a status the
// command reported itself).
func runWhy(ctx context.Context, args []string, stdout, stderr io.Writer) (code int, why string) {
	e := &env{stdout: stdout, stderr: stderr}
	cmds := commands()
	if len(args) == 0 {
		printUsage(stderr, cmds)
		return 2, why
	}
	name := args[0]
	if name == "version" || name == "-version" || name == "--version" {
		if len(args) == 2 && isHelpFlag(args[1]) {
			printVersionHelp(stdout)
			return 0, why
		}
		if len(args) > 1 {
			fmt.Fprintf(stderr, "rnntrain version: unexpected arguments %q (version takes none)\nRun 'rnntrain help version' for usage.\n", args[1:])
			return 2, why
		}
		printVersion(stdout)
		return 0, why
	}
	if name == "help" || name == "-h" || name == "-help" || name == "--help" {
		if len(args) > 2 {
			fmt.Fprintf(stderr, "rnntrain help: unexpected arguments %q (help takes one command, or config)\n", args[2:])
			return 2, why
		}
		if len(args) > 1 && args[1] == "config" {
			printConfigHelp(stdout)
			return 0, why
		}
		if len(args) > 1 && args[1] == "version" {
			printVersionHelp(stdout)
			return 0, why
		}
		if len(args) > 1 {
			for _, c := range cmds {
				if c.Name == args[1] {
					fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
					c.Setup(fs, e)
					printCommandHelp(stdout, c, fs)
					return 0, why
				}
			}
			fmt.Fprintf(stderr, "rnntrain help: unknown command %q; commands: %s%s\n", args[1], names(cmds), enum.Hint(args[1], strings.Split(names(cmds), ", ")))
			return 2, why
		}
		printUsage(stdout, cmds)
		return 0, why
	}
	for _, c := range cmds {
		if c.Name != name {
			continue
		}
		fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		runFn := c.Setup(fs, e)
		positional, err := parseInterleaved(fs, args[1:])
		if err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printCommandHelp(stdout, c, fs)
				return 0, why
			}
			why = err.Error()
			fmt.Fprintf(stderr, "rnntrain %s: %v%s%s\nRun 'rnntrain help %s' for usage.\n", c.Name, err, flagHint(fs, err), valueHint(fs, err), c.Name)
			return 2, why
		}
		if err := runCommand(ctx, c, runFn, positional); err != nil {
			if ie, ok := errors.AsType[interruptedError](err); ok {
				return ie.status(), why // the checkpoint was saved
			}
			if ae, ok := errors.AsType[abandonedError](err); ok {
				why = ae.Error()
				if !ae.brokenPipe() { // a reader that went away wants no more words
					fmt.Fprintf(stderr, "rnntrain %s: %v\n", c.Name, ae)
				}
				return ae.status(), why
			}
			if es, ok := errors.AsType[exitStatus](err); ok {
				return es.code, why // the command reported its own status
			}
			why = err.Error()
			fmt.Fprintf(stderr, "rnntrain %s: %v\n", c.Name, err)
			var u usageError
			if errors.As(err, &u) {
				fmt.Fprintf(stderr, "Run 'rnntrain help %s' for usage.\n", c.Name)
				return 2, why
			}
			return 1, why
		}
		return 0, why
	}
	fmt.Fprintf(stderr, "rnntrain: unknown command %q; commands: %s%s\n", name, names(cmds), enum.Hint(name, strings.Split(names(cmds), ", ")))
	return 2, why
}

// isHelpFlag reports whether arg is one of the spellings of the help flag
// that the flag package accepts: -h, -help, --h, --help.
func isHelpFlag(arg string) bool {
	switch arg {
	case "-h", "-help", "--h", "--help":
		return true
	}
	return false
}

// printVersionHelp writes the help of the version command, which has no
// flags, to w.
func printVersionHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: rnntrain version\n\n%s.\n", versionLong)
}

// runCommand runs the command c (its run function runFn) on args. A
// command that does not save (c.Saves false) is abandoned when ctx is
// cancelled by a stop signal: run returns an abandonedError at once, and
// the process exits with the signal's status.
func runCommand(ctx context.Context, c *command, runFn func(context.Context, []string) error, args []string) error {
	if c.Saves {
		return runFn(ctx, args)
	}
	done := make(chan error, 1)
	go func() { done <- runFn(ctx, args) }()
	select {
	case err := <-done:
		if brokenPipe(ctx) || errors.Is(err, syscall.EPIPE) {
			// The write that failed on the broken pipe is the error, not
			// the command's: it ends as the signal would have ended it.
			return abandonedError{signalled{syscall.SIGPIPE}}
		}
		return err
	case <-ctx.Done():
		return abandonedError{context.Cause(ctx)}
	}
}

// parseInterleaved parses args with fs, allowing flags after positional
// arguments ("inspect RUN -json"); "--" ends the flags. A negative number
// where a flag would be ("-run-point DIR -1") is a positional argument,
// for the command to judge, not an undefined flag. It returns the
// positional arguments in order.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			// Parse stops after the argument it refuses.
			bad := ""
			if i := len(args) - len(fs.Args()) - 1; i >= 0 && i < len(args) {
				bad = args[i]
			}
			if _, nerr := strconv.ParseFloat(bad, 64); nerr != nil || err.Error() != "flag provided but not defined: "+bad {
				return nil, err
			}
			pos = append(pos, bad)
			args = fs.Args()
			continue
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// valueHint returns what a flag of fs takes ("; want a whole number")
// when err is fs's error for a value it could not parse, whose message
// ("invalid value "x" for flag -n: parse error") does not say; else "".
func valueHint(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	_, rest, ok := strings.Cut(msg, " for flag -")
	if !ok {
		_, rest, ok = strings.Cut(msg, " for -") // a boolean flag's message
	}
	name, _, ok2 := strings.Cut(rest, ": ")
	if !ok || !ok2 || !strings.HasPrefix(msg, "invalid ") {
		return ""
	}
	f := fs.Lookup(name)
	if f == nil {
		return ""
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return ""
	}
	switch g.Get().(type) {
	case int, int64:
		return "; want a whole number"
	case uint, uint64:
		return "; want a whole number ≥ 0"
	case float64:
		return "; want a number"
	case bool:
		return "; want true or false (-" + name + "=false)"
	}
	return ""
}

// flagHint returns "; did you mean -NAME?" when err is fs's error for an
// undefined flag close to one of fs's flags (spell.Suggest), or "".
func flagHint(fs *flag.FlagSet, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !ok {
		return ""
	}
	var defined []string
	fs.VisitAll(func(f *flag.Flag) { defined = append(defined, f.Name) })
	if h := spell.Hint(name, defined, func(n string) string { return "-" + n }); h != "" {
		return "; " + h
	}
	return ""
}

// printVersion prints the module's version and the build's settings (Go
// version, VCS revision, -tags), from the binary's build information.
func printVersion(w io.Writer) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Fprintln(w, "rnntrain (no build information)")
		return
	}
	fmt.Fprintf(w, "rnntrain %s (%s, %s)\n", bi.Main.Version, bi.Main.Path, bi.GoVersion)
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision", "vcs.time", "vcs.modified", "-tags", "GOARCH", "GOAMD64", "CGO_ENABLED":
			fmt.Fprintf(w, "  %s=%s\n", s.Key, s.Value)
		}
	}
}

// versionShort and versionLong describe the version command, which takes
// no flags and so is not in the command table.
const (
	versionShort = "print the version and build information"
	versionLong  = "Version prints the module version of rnntrain and the settings of its build\n(Go version, VCS revision and time, -tags, GOARCH, GOAMD64, CGO_ENABLED)"
)

// names lists the commands, version included, for an unknown command's
// error.
func names(cmds []*command) string {
	var s []string
	for _, c := range cmds {
		s = append(s, c.Name)
	}
	return strings.Join(append(s, "version"), ", ")
}

func printUsage(w io.Writer, cmds []*command) {
	fmt.Fprintf(w, "rnntrain trains recurrent neural networks for computational neuroscience.\n\nUsage:\n\n\trnntrain <command> [flags]\n\nCommands:\n\n")
	width := len("version")
	for _, c := range cmds {
		width = max(width, len(c.Name))
	}
	// A description too long for its line goes on under itself.
	under := "\t" + strings.Repeat(" ", width+2)
	for _, c := range cmds {
		io.WriteString(w, wrapLine(fmt.Sprintf("\t%-*s  ", width, c.Name), c.Short, under, false))
	}
	io.WriteString(w, wrapLine(fmt.Sprintf("\t%-*s  ", width, "version"), versionShort, under, false))
	io.WriteString(w, "\n"+wrapLine("", "Run 'rnntrain help <command>' for a command's flags, 'rnntrain help config' for every config key.", "", false))
}

// printCommandHelp prints c's help: its usage line, its text and its
// flags (fs), wrapped to helpWidth columns.
func printCommandHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	io.WriteString(w, wrapLine("", "Usage: rnntrain "+c.Name+" "+c.Usage, strings.Repeat(" ", 8), true))
	fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.Long))
	fmt.Fprintf(w, "\nFlags:\n")
	printFlags(w, fs)
}
