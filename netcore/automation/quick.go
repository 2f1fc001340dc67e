package automation

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrNoSuchCommand is returned for an index outside the command list.
var ErrNoSuchCommand = errors.New("no such quick command")

// QuickCommand is a named payload a tab can send with one click or Ctrl+1…9.
type QuickCommand struct {
	Name string `json:"name"`
	Payload
}

// Validate checks the name, the encoding, the line ending and the template.
func (c QuickCommand) Validate() error {
	if c.Name == "" {
		return invalid("a quick command needs a name")
	}
	if _, err := c.Payload.Compile(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

// QuickCommandSet is a tab's ordered quick commands: the JSON format of a
// command-set file. Methods edit it in place; it is not safe for concurrent
// use (the UI goroutine owns it).
type QuickCommandSet struct {
	Version  int            `json:"version"`
	Commands []QuickCommand `json:"commands"`
}

func (s *QuickCommandSet) check(i int) error {
	if i < 0 || i >= len(s.Commands) {
		return fmt.Errorf("%w: index %d (have %d)", ErrNoSuchCommand, i, len(s.Commands))
	}
	return nil
}

// Add appends a valid command.
func (s *QuickCommandSet) Add(c QuickCommand) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("%s: %w", itemLabel("command", len(s.Commands), c.Name), err)
	}
	s.Commands = append(s.Commands, c)
	return nil
}

// Update replaces command i with a valid command.
func (s *QuickCommandSet) Update(i int, c QuickCommand) error {
	if err := s.check(i); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("%s: %w", itemLabel("command", i, c.Name), err)
	}
	s.Commands[i] = c
	return nil
}

// Delete removes command i.
func (s *QuickCommandSet) Delete(i int) error {
	if err := s.check(i); err != nil {
		return err
	}
	s.Commands = append(s.Commands[:i], s.Commands[i+1:]...)
	return nil
}

// Move moves command from to index to, shifting the ones between.
func (s *QuickCommandSet) Move(from, to int) error {
	if err := s.check(from); err != nil {
		return err
	}
	if err := s.check(to); err != nil {
		return err
	}
	c := s.Commands[from]
	if from < to {
		copy(s.Commands[from:to], s.Commands[from+1:to+1])
	} else {
		copy(s.Commands[to+1:from+1], s.Commands[to:from])
	}
	s.Commands[to] = c
	return nil
}

// MoveUp swaps command i with the one before it.
func (s *QuickCommandSet) MoveUp(i int) error { return s.Move(i, i-1) }

// MoveDown swaps command i with the one after it.
func (s *QuickCommandSet) MoveDown(i int) error { return s.Move(i, i+1) }

// Validate checks every command and names the first bad one.
func (s QuickCommandSet) Validate() error {
	for i, c := range s.Commands {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("%s: %w", itemLabel("command", i, c.Name), err)
		}
	}
	return nil
}

// ImportQuickCommands reads a command-set file. Malformed JSON, a wrong
// version, an unknown field or an invalid command is refused with a message
// naming it.
func ImportQuickCommands(data []byte) (QuickCommandSet, error) {
	var top struct {
		Version  int               `json:"version"`
		Commands []json.RawMessage `json:"commands"`
	}
	if err := decodeStrict(data, &top); err != nil {
		return QuickCommandSet{}, fmt.Errorf("%w: quick commands file: %w", ErrMalformedJSON, err)
	}
	if err := checkVersion(top.Version, "quick commands"); err != nil {
		return QuickCommandSet{}, err
	}
	cmds, err := decodeItems[QuickCommand](top.Commands, "command")
	if err != nil {
		return QuickCommandSet{}, err
	}
	set := QuickCommandSet{Version: FormatVersion, Commands: cmds}
	if err := set.Validate(); err != nil {
		return QuickCommandSet{}, err
	}
	return set, nil
}

// Export writes the set as indented JSON with the current version.
func (s QuickCommandSet) Export() ([]byte, error) {
	s.Version = FormatVersion
	if s.Commands == nil {
		s.Commands = []QuickCommand{}
	}
	return marshal(s)
}

// LoadQuickCommandsFile reads and checks a command-set file.
func LoadQuickCommandsFile(path string) (QuickCommandSet, error) {
	var set QuickCommandSet
	err := readFile(path, func(b []byte) (err error) { set, err = ImportQuickCommands(b); return err })
	return set, err
}
