package main

import (
	"context"
	"errors"
	"flag"
)

func evalCommand() *command {
	return &command{
		Name:  "eval",
		Short: "(eval is being built)",
		Setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context, args []string) error {
			return func(ctx context.Context, args []string) error { return errors.New("eval is being built") }
		},
	}
}
