package webhook_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/tend-sh/tend/core/webhook"
)

func ExampleHandler() {
	secret := []byte("change-me")
	h := &webhook.Handler{
		Secret: secret,
		Branch: "main",
		Trigger: func(p webhook.Push) {
			fmt.Println("fetch", p.Ref, p.After, "from", p.Source)
		},
	}

	body := `{"ref": "refs/heads/main", "after": "9f2c3e8a1b7d4c6e0f5a2b3c4d5e6f708192a3b4"}`
	req := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(body))
	req.Header.Set("X-Tend-Signature", webhook.Sign(secret, []byte(body)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Print(rec.Code, " ", rec.Body.String())
	// Output:
	// fetch refs/heads/main 9f2c3e8a1b7d4c6e0f5a2b3c4d5e6f708192a3b4 from generic
	// 202 accepted 9f2c3e8
}

func ExampleSign() {
	fmt.Println(webhook.Sign([]byte("It's a Secret to Everybody"), []byte("Hello, World!")))
	// Output: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17
}
