package main

import (
	"context"
	"errors"
	"flag"
)

func trainCommand() *command {
	return &command{
		Name:  "train",
		Short: "(train is being built)",
		Setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context, args []string) error {
			return func(ctx context.Context, args []string) error { return errors.New("train is being built") }
		},
	}
}
