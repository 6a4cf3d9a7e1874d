package main

import (
	"context"
	"errors"
	"flag"
)

func benchCommand() *command {
	return &command{
		Name:  "bench",
		Short: "(bench is being built)",
		Setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context, args []string) error {
			return func(ctx context.Context, args []string) error { return errors.New("bench is being built") }
		},
	}
}
