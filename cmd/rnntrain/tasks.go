package main

import (
	"context"
	"errors"
	"flag"
)

func tasksCommand() *command {
	return &command{
		Name:  "tasks",
		Short: "(tasks is being built)",
		Setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context, args []string) error {
			return func(ctx context.Context, args []string) error { return errors.New("tasks is being built") }
		},
	}
}
