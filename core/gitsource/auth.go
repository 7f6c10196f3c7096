package gitsource

import (
	"errors"
	"fmt"
	neturl "net/url"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	tssh "github.com/tend-sh/tend/core/transport/ssh"
	"golang.org/x/crypto/ssh"
)

// authSource builds the credentials for the remote. They are rebuilt before
// every fetch, so a rotated token file or an edited known_hosts file takes
// effect without a restart.
type authSource struct {
	build func() (transport.AuthMethod, error)

	mu   sync.Mutex
	last transport.AuthMethod
}

// current returns the credentials built last.
func (a *authSource) current() transport.AuthMethod {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last
}

// refresh builds the credentials and remembers them for current.
func (a *authSource) refresh() (transport.AuthMethod, error) {
	m, err := a.build()
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.last = m
	a.mu.Unlock()
	return m, nil
}

// newAuthSource picks the credentials for the URL's protocol and refuses
// options that do not apply to it.
func newAuthSource(o Options, ep *transport.Endpoint) (*authSource, error) {
	token := o.TokenFile != "" || o.TokenEnv != ""
	key := o.SSHKeyFile != "" || o.KnownHostsFile != ""
	a := &authSource{}
	switch ep.Protocol {
	case "file", "git":
		if token || key {
			return nil, fmt.Errorf("credentials (token, SSH key, known_hosts) do not apply to %s URLs", ep.Protocol)
		}
		a.build = func() (transport.AuthMethod, error) { return nil, nil }
	case "http", "https":
		if key {
			return nil, errors.New("an SSH key or known_hosts file does not apply to an https URL; use a token, or an ssh:// URL")
		}
		if token && ep.Protocol == "http" {
			return nil, errors.New("refusing to send a token over plain http; use an https:// URL")
		}
		a.build = tokenAuth(o)
	case "ssh":
		if token {
			return nil, errors.New("a token does not apply to an SSH URL; use an SSH key, or an https:// URL")
		}
		build, err := sshAuth(o, ep)
		if err != nil {
			return nil, err
		}
		a.build = build
	default:
		return nil, fmt.Errorf("unsupported URL scheme %q (use https://, ssh://, user@host:path or a local path)", ep.Protocol)
	}
	if _, err := a.refresh(); err != nil {
		return nil, err
	}
	return a, nil
}

// tokenAuth reads the token from TokenFile or TokenEnv; with neither the
// repository is read anonymously.
func tokenAuth(o Options) func() (transport.AuthMethod, error) {
	user := o.TokenUser
	if user == "" {
		user = DefaultTokenUser
	}
	return func() (transport.AuthMethod, error) {
		var token string
		switch {
		case o.TokenFile != "":
			b, err := os.ReadFile(o.TokenFile)
			if err != nil {
				return nil, fmt.Errorf("read token file: %w", err)
			}
			token = strings.TrimSpace(string(b))
			if token == "" {
				return nil, fmt.Errorf("token file %s is empty", o.TokenFile)
			}
		case o.TokenEnv != "":
			token = strings.TrimSpace(os.Getenv(o.TokenEnv))
			if token == "" {
				return nil, fmt.Errorf("environment variable %s holding the token is empty or unset", o.TokenEnv)
			}
		default:
			return nil, nil
		}
		return &githttp.BasicAuth{Username: user, Password: token}, nil
	}
}

// sshAuth authenticates with SSHKeyFile, or else the ssh-agent, as the URL's
// user (the local user name when it has none, as OpenSSH does). The host key
// is checked against KnownHostsFile (default ~/.ssh/known_hosts).
func sshAuth(o Options, ep *transport.Endpoint) (func() (transport.AuthMethod, error), error) {
	name := ep.User
	if name == "" {
		u, err := user.Current()
		if err != nil || u.Username == "" {
			return nil, errors.New("the SSH URL names no user and the local user name is unknown; write it as ssh://user@host/path")
		}
		name = u.Username
	}
	known := o.KnownHostsFile
	if known == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("no known_hosts file given and no home directory: %w", err)
		}
		known = filepath.Join(home, ".ssh", "known_hosts")
	}
	port := ep.Port
	if port == 0 {
		port = 22
	}
	var agent *agentKeys
	if o.SSHKeyFile == "" {
		sock := os.Getenv("SSH_AUTH_SOCK")
		if sock == "" {
			return nil, errors.New("no SSH key: set an SSH key file, or run ssh-agent with the key loaded (SSH_AUTH_SOCK is unset)")
		}
		agent = &agentKeys{sock: sock}
	}
	return func() (transport.AuthMethod, error) {
		check, algos, err := tssh.HostKeyCallback(known, ep.Host, port)
		if err != nil {
			return nil, err
		}
		helper := gitssh.HostKeyCallbackHelper{HostKeyCallback: check, HostKeyAlgorithms: algos}
		if agent != nil {
			return &gitssh.PublicKeysCallback{User: name, Callback: agent.signers, HostKeyCallbackHelper: helper}, nil
		}
		pem, err := os.ReadFile(o.SSHKeyFile)
		if err != nil {
			return nil, fmt.Errorf("read SSH key: %w", err)
		}
		signer, err := ssh.ParsePrivateKey(pem)
		var missing *ssh.PassphraseMissingError
		if errors.As(err, &missing) {
			return nil, fmt.Errorf("SSH key %s is encrypted: load it into ssh-agent instead and leave the key file unset", o.SSHKeyFile)
		}
		if err != nil {
			return nil, fmt.Errorf("SSH key %s: %w", o.SSHKeyFile, err)
		}
		return &gitssh.PublicKeys{User: name, Signer: signer, HostKeyCallbackHelper: helper}, nil
	}, nil
}

// redactURL removes credentials from a repository URL for messages: the
// whole user part of http(s) URLs (a token may stand in for the user name),
// any password elsewhere, and any query string or fragment (GitLab takes
// ?private_token=).
func redactURL(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return raw // a local path, or user@host:path whose user is no secret
	}
	scheme := strings.ToLower(raw[:i])
	rest := raw[i+3:]
	query := ""
	if q := strings.IndexAny(rest, "?#"); q >= 0 {
		rest, query = rest[:q], redacted
	}
	hostEnd := strings.IndexByte(rest, '/')
	if hostEnd < 0 {
		hostEnd = len(rest)
	}
	at := strings.LastIndex(rest[:hostEnd], "@")
	switch {
	case at < 0:
	case scheme == "http" || scheme == "https":
		rest = rest[at+1:]
	default:
		if c := strings.Index(rest[:at], ":"); c >= 0 {
			rest = rest[:c] + rest[at:]
		}
	}
	return raw[:i+3] + rest + query
}

// redacted stands for a query string removed from a URL.
const redacted = "?<redacted>"

// parseURL parses the repository URL and refuses credentials in it: they
// would be written into the clone's config in the state dir and quoted in
// go-git's errors. Tokens go in a file, SSH keys in a key file or agent.
func parseURL(raw string) (*transport.Endpoint, error) {
	safe := redactURL(raw)
	ep, err := transport.NewEndpoint(raw)
	if err != nil {
		// Not wrapped: the parser's message quotes the raw URL.
		return nil, fmt.Errorf("invalid repository URL %s: %s", safe, redactText(strings.ReplaceAll(err.Error(), raw, safe)))
	}
	hasQuery := false
	if strings.Contains(raw, "://") {
		u, err := neturl.Parse(raw)
		hasQuery = err == nil && (u.RawQuery != "" || u.ForceQuery || u.Fragment != "")
	}
	switch {
	case (ep.Protocol == "http" || ep.Protocol == "https") && (ep.User != "" || ep.Password != ""):
		return nil, fmt.Errorf("repository URL %s: %w", safe, ErrURLCredentials)
	case ep.Password != "":
		return nil, fmt.Errorf("repository URL %s: %w", safe, ErrURLPassword)
	case hasQuery && ep.Protocol != "file":
		return nil, fmt.Errorf("repository URL %s: %w", safe, ErrURLQuery)
	}
	return ep, nil
}

// Open refuses a repository URL that holds a secret: it would be stored in
// the state dir and shown in messages. Each error says which kind; the
// caller says where the secret belongs instead (Options.TokenFile or
// TokenEnv and TokenUser for a token, SSHKeyFile or ssh-agent for SSH).
var (
	ErrURLCredentials = errors.New("credentials in the URL are refused (they would be stored in the state dir and shown in messages)")
	ErrURLPassword    = errors.New("a password in the URL is refused (it would be stored in the state dir and shown in messages)")
	ErrURLQuery       = errors.New("a query string or fragment is refused (a token there would be stored in the state dir and shown in messages)")
)

// message is an error with its own text that still matches what it wraps.
type message struct {
	msg string
	err error
}

func (e *message) Error() string { return e.msg }
func (e *message) Unwrap() error { return e.err }

// userinfo matches the user part of http(s) URLs inside a text, also in
// net/http's redacted form ("user:***@"); urlQuery matches a URL's query
// string or fragment.
var (
	userinfo = regexp.MustCompile(`(?i)\b(https?://)[^/\s"'@]+@`)
	urlQuery = regexp.MustCompile(`(?i)\b((?:https?|ssh|git)://[^\s"'?#]*)[?#][^\s"']*`)
)

// redactText removes URL credentials and query strings from a message.
func redactText(msg string) string {
	msg = userinfo.ReplaceAllString(msg, "$1")
	return urlQuery.ReplaceAllString(msg, "$1"+redacted)
}

// scrub removes URL credentials and query strings from err's text (go-git
// and net/http quote the URL), keeping err in the chain for errors.Is. The
// configured URL holds none (Open refuses them); this covers URLs a server
// sends back, such as redirects.
func (s *Source) scrub(err error) error {
	if err == nil {
		return nil
	}
	msg := redactText(err.Error())
	if msg == err.Error() {
		return err
	}
	return &message{msg: msg, err: err}
}
