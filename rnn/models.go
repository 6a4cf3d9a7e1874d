package rnn

import (
	"github.com/rnntrain/rnntrain/internal/enum"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/lowrank"
)

// Models returns the table of recurrent models a network can be built
// from, in the order listings show them. Adding a model is one file (its
// typed config implementing layers.ModelConfig and a function returning
// its entry) and one line here.
func Models() []layers.Model {
	return []layers.Model{
		vanillaModel(),
		leakyModel(),
		gruModel(),
		lowrank.Model(),
		egruModel(),
		lifModel(),
		alifModel(),
		ltcModel(),
	}
}

// Lookup returns the model named name. The error lists the valid names.
func Lookup(name string) (layers.Model, error) {
	for _, m := range Models() {
		if m.Name == name {
			return m, nil
		}
	}
	return layers.Model{}, enum.Unknown("model", name, ModelNames())
}

// ModelNames returns the names of the registered models.
func ModelNames() []string {
	var names []string
	for _, m := range Models() {
		names = append(names, m.Name)
	}
	return names
}

// NewModelConfig returns the default configuration of the model named
// name.
func NewModelConfig(name string) (layers.ModelConfig, error) {
	m, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	return m.New(), nil
}
