package winscript

import (
	"encoding/json"
	"fmt"
	"math"
)

// HResult is a Windows HRESULT. Scripts report it as PowerShell's
// Exception.HResult, a signed 32-bit number (-2145124318 for 0x80240022);
// an unsigned one is accepted too.
type HResult uint32

// UnmarshalJSON accepts an HRESULT as a signed or unsigned 32-bit number.
func (h *HResult) UnmarshalJSON(b []byte) error {
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("hresult: %w", err)
	}
	if n < math.MinInt32 || n > math.MaxUint32 {
		return fmt.Errorf("hresult: %d is not a 32-bit number", n)
	}
	*h = HResult(uint32(n))
	return nil
}

// MarshalJSON writes h as PowerShell prints an HRESULT: a signed 32-bit
// number.
func (h HResult) MarshalJSON() ([]byte, error) { return json.Marshal(int32(h)) }

// Hex is h as Microsoft writes it: 0x80240022.
func (h HResult) Hex() string { return fmt.Sprintf("0x%08X", uint32(h)) }

// String is h in hex with its name when it is one of the generic COM
// errors (0x80070005 E_ACCESSDENIED).
func (h HResult) String() string { return h.Describe(nil) }

// Describe is h in hex with its name from names, or else from the generic
// COM errors, when known.
func (h HResult) Describe(names map[HResult]string) string {
	if n, ok := names[h]; ok {
		return h.Hex() + " " + n
	}
	if n, ok := genericNames[h]; ok {
		return h.Hex() + " " + n
	}
	return h.Hex()
}

// genericNames are the COM and Win32 errors any script may meet, from
// Microsoft's "COM Error Codes (Generic)" and "System Error Codes" lists
// (https://learn.microsoft.com/en-us/windows/win32/com/com-error-codes-1,
// https://learn.microsoft.com/en-us/windows/win32/debug/system-error-codes);
// a Win32 error n arrives as 0x8007xxxx (HRESULT_FROM_WIN32).
var genericNames = map[HResult]string{
	0x80004001: "E_NOTIMPL",
	0x80004002: "E_NOINTERFACE",
	0x80004003: "E_POINTER",
	0x80004004: "E_ABORT",
	0x80004005: "E_FAIL",
	0x8000FFFF: "E_UNEXPECTED",
	0x80070005: "E_ACCESSDENIED",
	0x80070006: "E_HANDLE",
	0x8007000E: "E_OUTOFMEMORY",
	0x80070057: "E_INVALIDARG",
	0x80070070: "ERROR_DISK_FULL",
	0x80070422: "ERROR_SERVICE_DISABLED",
	0x800705B4: "ERROR_TIMEOUT",
	0x80070BC9: "ERROR_FAIL_REBOOT_REQUIRED",
	0x80070643: "ERROR_INSTALL_FAILURE",
	0x80070652: "ERROR_INSTALL_ALREADY_RUNNING",
}
