// Command rnntrain trains and analyses recurrent neural networks for
// computational neuroscience. Run "rnntrain help" for the commands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	_ = ctx
	fmt.Fprintln(stderr, "rnntrain: the train, eval, inspect, tasks and bench commands are being built; see README.md")
	return 2
}
