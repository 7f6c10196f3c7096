package loader

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os/exec"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/plugins/internal/handshake"
	"github.com/tend-sh/tend/plugins/internal/protoconv"
	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
	"github.com/tend-sh/tend/plugins/sdk"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ChecksumError means a provider binary is not the one the lock file
// recorded.
type ChecksumError struct {
	Name, Path     string
	Locked, Actual string
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("provider %q at %s does not match the lock file: the lock file records %s, the binary is %s; if the new binary is intended, run tend init",
		e.Name, e.Path, e.Locked, e.Actual)
}

// Options say which provider binary to launch and how to check it.
type Options struct {
	Name string
	Path string
	// Checksum is the expected "sha256:<hex>"; empty skips the check.
	Checksum string
	// Logger receives the provider's log lines; nil discards them.
	Logger *logrus.Logger
	// Reattach connects to a provider already running (tests); Path is ignored.
	Reattach *plugin.ReattachConfig
}

// Provider is a launched provider plugin.
type Provider struct {
	name   string
	client *plugin.Client
	rpc    pb.ProviderClient
	broker *plugin.GRPCBroker
}

// Launch starts the provider binary and completes the handshake. A binary
// whose checksum differs from opts.Checksum is refused before it runs.
func Launch(opts Options) (*Provider, error) {
	cfg := &plugin.ClientConfig{
		HandshakeConfig: handshake.Config,
		VersionedPlugins: map[int]plugin.PluginSet{
			handshake.ProtocolVersion: {handshake.PluginName: &grpcPlugin{}},
		},
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           newHCLogger(opts.Name, opts.Logger),
		SyncStdout:       io.Discard,
		SyncStderr:       io.Discard,
		StartTimeout:     30 * time.Second,
	}
	if opts.Reattach != nil {
		cfg.Reattach = opts.Reattach
		// go-plugin fills Plugins from VersionedPlugins only during a handshake.
		cfg.Plugins = cfg.VersionedPlugins[handshake.ProtocolVersion]
	} else {
		if opts.Checksum != "" {
			// Hashed once per process while the file stays the same file
			// (cachedChecksum); a file that changes is hashed again.
			actual, err := cachedChecksum(opts.Path)
			if err != nil {
				return nil, fmt.Errorf("provider %q: %w", opts.Name, err)
			}
			if actual != opts.Checksum {
				return nil, &ChecksumError{Name: opts.Name, Path: opts.Path, Locked: opts.Checksum, Actual: actual}
			}
		}
		cfg.Cmd = exec.Command(opts.Path)
		cfg.Cmd.SysProcAttr = sysProcAttr() // the provider dies with tend
	}
	client := plugin.NewClient(cfg)
	rpcClient, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("starting provider %q: %w", opts.Name, err)
	}
	if v := client.NegotiatedVersion(); v != handshake.ProtocolVersion {
		client.Kill()
		return nil, fmt.Errorf("provider %q speaks protocol %d; this tend speaks %d", opts.Name, v, handshake.ProtocolVersion)
	}
	raw, err := rpcClient.Dispense(handshake.PluginName)
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("provider %q: %w", opts.Name, err)
	}
	gc := raw.(*grpcClient)
	return &Provider{name: opts.Name, client: client, rpc: gc.rpc, broker: gc.broker}, nil
}

// Close stops the provider process.
func (p *Provider) Close() { p.client.Kill() }

// Pid returns the provider's process id, or 0 when unknown.
func (p *Provider) Pid() int {
	if rc := p.client.ReattachConfig(); rc != nil {
		return rc.Pid
	}
	return 0
}

// Exited reports whether the provider process has exited.
func (p *Provider) Exited() bool { return p.client.Exited() }

// Schema asks the provider to describe itself.
func (p *Provider) Schema(ctx context.Context) (*sdk.SchemaResponse, error) {
	resp, err := p.rpc.GetSchema(ctx, &pb.GetSchemaRequest{})
	if err != nil {
		return nil, p.wrap("GetSchema", err)
	}
	out, err := protoconv.SchemaFromProto(resp)
	if err != nil {
		return nil, fmt.Errorf("provider %q: schema: %w", p.name, err)
	}
	return out, nil
}

// Configure passes the provider block's attributes.
func (p *Provider) Configure(ctx context.Context, cfg map[string]any) error {
	data, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	if _, err := p.rpc.Configure(ctx, &pb.ConfigureRequest{ConfigJson: data}); err != nil {
		return p.wrap("Configure", err)
	}
	return nil
}

// Scan asks for host's inventory, running the provider's commands through runner.
func (p *Provider) Scan(ctx context.Context, host string, pins []string, runner sdk.Runner) (*model.ProviderInventory, []string, error) {
	id, stop := p.serveExec(runner)
	defer stop()
	resp, err := p.rpc.Scan(ctx, &pb.ScanRequest{Host: host, Pins: pins, ExecBrokerId: id})
	if err != nil {
		return nil, nil, p.wrap("Scan", err)
	}
	inv, err := protoconv.InventoryFromProto(resp.Inventory)
	if err != nil {
		return nil, nil, fmt.Errorf("provider %q: %w", p.name, err)
	}
	return inv, resp.Warnings, nil
}

// StopGrace is how long Apply waits, after its context is cancelled, for the
// provider to stop at a safe point and report what it did.
var StopGrace = 30 * time.Second

// Apply carries out actions on host. Expected, when not empty, is the
// transaction the plan showed (Resolve): the provider checks it still
// holds before changing anything. It always returns one result per
// action, in order: when the provider fails or dies midway, the actions it
// did not report are failed (or interrupted, when ctx was cancelled) with
// the reason; the error says what went wrong. Cancelling ctx asks the
// provider to stop (Stop RPC) and still collects the results of what it
// finished, for up to StopGrace.
func (p *Provider) Apply(ctx context.Context, host string, actions []sdk.Action, expected []sdk.Change, runner sdk.Runner, progress sdk.ProgressFunc) ([]sdk.ActionResult, error) {
	id, stop := p.serveExec(runner)
	defer stop()
	applyID := fmt.Sprintf("%s/%d/%d", host, id, time.Now().UnixNano())
	req := &pb.ApplyRequest{Host: host, ExecBrokerId: id, ApplyId: applyID, Actions: protoconv.ActionsToProto(actions),
		Expected: protoconv.ChangesToProto(expected)}
	// The stream outlives ctx by up to StopGrace, so results of finished
	// work still arrive after Ctrl-C.
	streamCtx, cancelStream := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelStream()
	watchDone := make(chan struct{})
	defer close(watchDone)
	go func() {
		select {
		case <-ctx.Done():
		case <-watchDone:
			return
		}
		stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, _ = p.rpc.Stop(stopCtx, &pb.StopRequest{ApplyId: applyID})
		cancel()
		select {
		case <-time.After(StopGrace):
			cancelStream()
		case <-watchDone:
		}
	}()

	results := map[string]sdk.ActionResult{} // by action id: a result repeated replaces the earlier
	stream, err := p.rpc.Apply(streamCtx, req)
	for err == nil {
		var ev *pb.ApplyEvent
		ev, err = stream.Recv()
		if err != nil {
			break
		}
		switch e := ev.Event.(type) {
		case *pb.ApplyEvent_Progress:
			if progress != nil {
				progress(protoconv.ProgressFromProto(e.Progress))
			}
		case *pb.ApplyEvent_Result:
			r := protoconv.ResultFromProto(e.Result)
			results[r.ActionID] = r
		}
	}
	if errors.Is(err, io.EOF) {
		err = nil
	}
	if err != nil {
		err = p.wrap("Apply", err)
	} else if ctx.Err() != nil {
		err = fmt.Errorf("provider %q: Apply stopped: %w", p.name, ctx.Err())
	}
	missing := model.NoResult()
	switch {
	case ctx.Err() != nil:
		missing = sdk.ActionResult{Status: sdk.StatusInterrupted, Message: "cancelled before the provider reported a result"}
	case err != nil:
		missing = sdk.ActionResult{Status: sdk.StatusFailed, Message: err.Error()}
	}
	return model.CompleteResults(actions, slices.Collect(maps.Values(results)), missing), err
}

// wrap turns an RPC error into a message naming the provider; a dead
// provider process is said to have crashed.
func (p *Provider) wrap(call string, err error) error {
	if p.exitedSoon(status.Code(err)) {
		return fmt.Errorf("provider %q crashed during %s: %s", p.name, call, status.Convert(err).Message())
	}
	if st, ok := status.FromError(err); ok {
		if st.Code() == codes.Canceled {
			return fmt.Errorf("provider %q: %s cancelled", p.name, call)
		}
		return fmt.Errorf("provider %q: %s", p.name, st.Message())
	}
	return fmt.Errorf("provider %q: %s: %w", p.name, call, err)
}

// exitedSoon reports whether the provider process has exited or, after a
// transport error, exits within a second: the broken connection is usually
// noticed before the process is reaped.
func (p *Provider) exitedSoon(code codes.Code) bool {
	if p.client.Exited() || (code != codes.Unavailable && code != codes.Internal) {
		return p.client.Exited()
	}
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if p.client.Exited() {
			return true
		}
	}
	return false
}

// serveExec serves the Exec callback for one request on a fresh broker id.
func (p *Provider) serveExec(runner sdk.Runner) (uint32, func()) {
	id := p.broker.NextId()
	var (
		mu  sync.Mutex
		srv *grpc.Server
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		lis, err := p.broker.Accept(id)
		if err != nil {
			return
		}
		s := grpc.NewServer(grpc.MaxRecvMsgSize(math.MaxInt32), grpc.MaxSendMsgSize(math.MaxInt32))
		pb.RegisterHostServer(s, &execServer{runner: runner})
		mu.Lock()
		srv = s
		mu.Unlock()
		_ = s.Serve(lis)
	}()
	return id, func() {
		mu.Lock()
		if srv != nil {
			srv.Stop()
		}
		mu.Unlock()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
		}
	}
}

// execServer runs the provider's commands on the target host.
type execServer struct {
	pb.UnimplementedHostServer
	runner sdk.Runner
}

func (s *execServer) Exec(ctx context.Context, req *pb.ExecRequest) (*pb.ExecResponse, error) {
	res, err := s.runner.Run(ctx, protoconv.CmdFromProto(req))
	if err != nil {
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	return protoconv.ExecResultToProto(res), nil
}

// grpcPlugin is tend's side of go-plugin's GRPCPlugin.
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
}

type grpcClient struct {
	rpc    pb.ProviderClient
	broker *plugin.GRPCBroker
}

func (grpcPlugin) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error {
	return errors.New("loader: tend does not serve providers")
}

func (grpcPlugin) GRPCClient(_ context.Context, broker *plugin.GRPCBroker, conn *grpc.ClientConn) (any, error) {
	return &grpcClient{rpc: pb.NewProviderClient(conn), broker: broker}, nil
}

// newHCLogger routes go-plugin's and the provider's log lines into logrus,
// tagged with the provider's name.
func newHCLogger(name string, l *logrus.Logger) hclog.Logger {
	if l == nil {
		return hclog.NewNullLogger()
	}
	return hclog.New(&hclog.LoggerOptions{
		Name:   "provider." + name,
		Level:  hclog.Debug,
		Output: l.WithField("provider", name).WriterLevel(logrus.DebugLevel),
	})
}
