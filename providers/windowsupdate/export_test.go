package windowsupdate_test

import "github.com/tend-sh/tend/providers/internal/winscript"

func encoded(s winscript.Script) string { return winscript.EncodeCommand(s.Text()) }
