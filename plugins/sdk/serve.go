package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"sync"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/version"
	"github.com/tend-sh/tend/plugins/internal/handshake"
	"github.com/tend-sh/tend/plugins/internal/protoconv"
	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Serve runs p as a tend provider plugin. Call it from main; it returns when
// tend is done with the provider. Started by hand, outside tend, it prints
// a note and exits non-zero. Should tend die without stopping the provider,
// the provider dies with it on Linux (the loader sets the kernel's death
// signal) and, where its parent can be watched, exits within about a second
// of noticing it is orphaned (see watchParent).
func Serve(p Provider) {
	if os.Getenv(handshake.Config.MagicCookieKey) != handshake.Config.MagicCookieValue {
		fmt.Fprintln(os.Stderr, "This is a tend provider plugin: tend starts it when a policy needs it. It is not meant to be run by hand.")
		os.Exit(1)
	}
	watchParent(parentPoll, exitOrphaned)
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: handshake.Config,
		VersionedPlugins: map[int]plugin.PluginSet{
			handshake.ProtocolVersion: {handshake.PluginName: &grpcPlugin{impl: p}},
		},
		GRPCServer: plugin.DefaultGRPCServer,
		Logger:     hclog.New(&hclog.LoggerOptions{Level: hclog.Trace, Output: os.Stderr, JSONFormat: true}),
	})
}

// grpcPlugin is the plugin side of go-plugin's GRPCPlugin.
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	impl Provider
}

func (g *grpcPlugin) GRPCServer(broker *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterProviderServer(s, &server{impl: g.impl, broker: broker})
	return nil
}

func (g *grpcPlugin) GRPCClient(context.Context, *plugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, errors.New("sdk: the provider side has no client")
}

// server adapts a Provider to the generated gRPC service.
type server struct {
	pb.UnimplementedProviderServer
	impl   Provider
	broker *plugin.GRPCBroker
	config map[string]any

	mu      sync.Mutex
	applies map[string]context.CancelFunc // running Applies by id, for Stop
}

func (s *server) GetSchema(ctx context.Context, _ *pb.GetSchemaRequest) (*pb.GetSchemaResponse, error) {
	sc, err := s.impl.Schema(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if _, err := version.ParseScheme(string(sc.VersionScheme)); err != nil {
		return nil, status.Errorf(codes.Internal, "the schema of provider %q: %v", sc.Name, err)
	}
	return protoconv.SchemaToProto(sc), nil
}

// decodeConfig decodes a provider block sent as JSON and fetches the
// schema to check it against; its errors are gRPC statuses.
func (s *server) decodeConfig(ctx context.Context, raw []byte) (map[string]any, *SchemaResponse, error) {
	cfg := map[string]any{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return nil, nil, status.Errorf(codes.InvalidArgument, "provider config is not a JSON object: %v", err)
		}
	}
	sc, err := s.impl.Schema(ctx)
	if err != nil {
		return nil, nil, status.Error(codes.Internal, err.Error())
	}
	return cfg, sc, nil
}

func (s *server) Configure(ctx context.Context, req *pb.ConfigureRequest) (*pb.ConfigureResponse, error) {
	cfg, sc, err := s.decodeConfig(ctx, req.ConfigJson)
	if err != nil {
		return nil, err
	}
	if err := CheckConfig(sc, cfg); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	s.config = cfg
	return &pb.ConfigureResponse{}, nil
}

// CheckConfig checks a provider block's attributes against the schema:
// unknown names, missing required ones and wrong types are errors.
func CheckConfig(sc *SchemaResponse, cfg map[string]any) error {
	known := map[string]Attribute{}
	for _, a := range sc.Attributes {
		known[a.Name] = a
	}
	var errs []error
	names := make([]string, 0, len(cfg))
	for n := range cfg {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a, ok := known[n]
		if !ok {
			errs = append(errs, fmt.Errorf("provider %q has no attribute %q", sc.Name, n))
			continue
		}
		if !typeMatches(a.Type, cfg[n]) {
			errs = append(errs, fmt.Errorf("provider %q: attribute %q must be of type %s", sc.Name, n, a.Type))
		}
	}
	for _, a := range sc.Attributes {
		if _, ok := cfg[a.Name]; a.Required && !ok {
			errs = append(errs, fmt.Errorf("provider %q: attribute %q is required", sc.Name, a.Name))
		}
	}
	return errors.Join(errs...)
}

func typeMatches(t string, v any) bool {
	switch t {
	case TypeString:
		_, ok := v.(string)
		return ok
	case TypeBool:
		_, ok := v.(bool)
		return ok
	case TypeNumber:
		_, ok := v.(float64)
		return ok
	case TypeStringList:
		list, ok := v.([]any)
		for _, e := range list {
			if _, isStr := e.(string); !isStr {
				return false
			}
		}
		return ok
	}
	return false
}

func (s *server) Scan(ctx context.Context, req *pb.ScanRequest) (*pb.ScanResponse, error) {
	runner, closeRunner, err := s.dialRunner(req.ExecBrokerId)
	if err != nil {
		return nil, err
	}
	defer closeRunner()
	resp, err := s.impl.Scan(ctx, &ScanRequest{Host: req.Host, Config: s.config, Pins: req.Pins, Runner: runner})
	if err != nil {
		return nil, status.Error(codes.Unknown, err.Error())
	}
	inv := resp.Inventory
	if inv.VersionScheme, err = s.versionScheme(ctx, inv.VersionScheme); err != nil {
		return nil, err
	}
	return &pb.ScanResponse{Inventory: protoconv.InventoryToProto(&inv), Warnings: resp.Warnings}, nil
}

// versionScheme returns the version scheme of a scan's inventory: the one
// the schema declares, so a provider declares it once. A scan that reports
// another one itself is an error.
func (s *server) versionScheme(ctx context.Context, scanned VersionScheme) (VersionScheme, error) {
	sc, err := s.impl.Schema(ctx)
	if err != nil {
		return "", status.Error(codes.Internal, err.Error())
	}
	if scanned != "" && scanned != sc.VersionScheme {
		return "", status.Errorf(codes.Internal, "the scan reports version scheme %q, but the schema of provider %q declares %q", scanned, sc.Name, sc.VersionScheme)
	}
	return sc.VersionScheme, nil
}

func (s *server) Apply(req *pb.ApplyRequest, stream pb.Provider_ApplyServer) error {
	runner, closeRunner, err := s.dialRunner(req.ExecBrokerId)
	if err != nil {
		return err
	}
	defer closeRunner()
	actions := protoconv.ActionsFromProto(req.Actions)
	var sendMu sync.Mutex
	progress := func(p Progress) {
		sendMu.Lock()
		defer sendMu.Unlock()
		// A failed send means tend went away; Apply sees it as a cancelled context.
		_ = stream.Send(protoconv.ProgressToProto(p))
	}
	// The provider's context ends when tend asks to Stop (the stream stays
	// open for the results) or when the stream itself goes away.
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	if req.ApplyId != "" {
		s.mu.Lock()
		if s.applies == nil {
			s.applies = map[string]context.CancelFunc{}
		}
		s.applies[req.ApplyId] = cancel
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			delete(s.applies, req.ApplyId)
			s.mu.Unlock()
		}()
	}
	resp, err := s.impl.Apply(ctx, &ApplyRequest{Host: req.Host, Config: s.config, Actions: actions,
		Expected: protoconv.ChangesFromProto(req.Expected), Runner: runner}, progress)
	if err != nil {
		return status.Error(codes.Unknown, err.Error())
	}
	for _, r := range model.CompleteResults(actions, resp.Results, model.NoResult()) {
		if err := stream.Send(protoconv.ResultToProto(r)); err != nil {
			return err
		}
	}
	return nil
}

func (s *server) Stop(_ context.Context, req *pb.StopRequest) (*pb.StopResponse, error) {
	s.mu.Lock()
	cancel, ok := s.applies[req.ApplyId]
	s.mu.Unlock()
	if ok {
		cancel()
	}
	return &pb.StopResponse{Stopped: ok}, nil
}

// dialRunner connects to the Exec service tend serves for this request.
func (s *server) dialRunner(id uint32) (Runner, func(), error) {
	// Command output can be large (a whole package list): lift gRPC's 4 MB default.
	conn, err := s.broker.DialWithOptions(id, grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(math.MaxInt32)))
	if err != nil {
		return nil, nil, status.Errorf(codes.Unavailable, "connecting to tend's exec service: %v", err)
	}
	return &remoteRunner{client: pb.NewHostClient(conn)}, func() { conn.Close() }, nil
}

// remoteRunner runs commands through tend's Host service.
type remoteRunner struct {
	client pb.HostClient
}

func (r *remoteRunner) Run(ctx context.Context, c Cmd) (Result, error) {
	resp, err := r.client.Exec(ctx, protoconv.CmdToProto(c))
	if err != nil {
		if st, ok := status.FromError(err); ok {
			return Result{}, fmt.Errorf("%s: %s", c.Argv[0], st.Message())
		}
		return Result{}, err
	}
	return protoconv.ExecResultFromProto(resp), nil
}
