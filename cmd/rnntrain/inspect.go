package main

import (
	"context"
	"errors"
	"flag"
)

func inspectCommand() *command {
	return &command{
		Name:  "inspect",
		Short: "(inspect is being built)",
		Setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context, args []string) error {
			return func(ctx context.Context, args []string) error { return errors.New("inspect is being built") }
		},
	}
}
