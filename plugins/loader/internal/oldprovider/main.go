// Command oldprovider is a provider as built before the ValidateConfig
// and Resolve RPCs existed: it serves the protocol's other calls through
// the generated code's Unimplemented defaults. The loader's tests check that tend still
// works with it.
package main

import (
	"context"
	"errors"

	"github.com/hashicorp/go-plugin"
	"github.com/tend-sh/tend/plugins/internal/handshake"
	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
	"google.golang.org/grpc"
)

// server answers GetSchema and Configure; everything else, ValidateConfig
// and Resolve included, is Unimplemented.
type server struct {
	pb.UnimplementedProviderServer
}

func (server) GetSchema(context.Context, *pb.GetSchemaRequest) (*pb.GetSchemaResponse, error) {
	return &pb.GetSchemaResponse{Name: "old", Version: "0.0.1"}, nil
}

func (server) Configure(context.Context, *pb.ConfigureRequest) (*pb.ConfigureResponse, error) {
	return &pb.ConfigureResponse{}, nil
}

type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
}

func (grpcPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	s.RegisterService(&oldDesc, server{})
	return nil
}

func (grpcPlugin) GRPCClient(context.Context, *plugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, errors.New("no client")
}

// oldDesc is the service description without ValidateConfig.
var oldDesc = func() grpc.ServiceDesc {
	d := pb.Provider_ServiceDesc
	d.Methods = nil
	for _, m := range pb.Provider_ServiceDesc.Methods {
		if m.MethodName != "ValidateConfig" {
			d.Methods = append(d.Methods, m)
		}
	}
	return d
}()

func main() {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: handshake.Config,
		VersionedPlugins: map[int]plugin.PluginSet{
			handshake.ProtocolVersion: {handshake.PluginName: grpcPlugin{}},
		},
		GRPCServer: plugin.DefaultGRPCServer,
	})
}
