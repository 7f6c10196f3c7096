package sdk

import (
	"context"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/plugins/internal/protoconv"
	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Resolver is an optional capability: a Provider that implements it asks
// its package manager which transaction a set of actions really is — the
// planned packages plus every dependency it installs, upgrades or
// downgrades and every package it removes — so tend can show it in the plan
// and hold it against the policy. Resolve must be read-only (a simulation,
// such as apt-get --simulate): it changes nothing on the host.
type Resolver interface {
	Resolve(ctx context.Context, req *ResolveRequest) (*ResolveResponse, error)
}

// ResolveRequest asks for the transaction Actions would be on one host.
type ResolveRequest struct {
	Host    string
	Config  map[string]any
	Actions []Action
	Runner  Runner
}

// ResolveResponse is the whole transaction the package manager would carry
// out, planned packages included, and Warnings about problems that did not
// stop the resolution. An unsatisfiable transaction is an error whose
// message carries the package manager's own explanation, not a response.
type ResolveResponse struct {
	Changes  []Change
	Warnings []string
}

// Change is one package a transaction changes: Package, Kind
// (ChangeInstall, …), From (the installed version, "" for an install), To
// ("" for a removal) and RequiredBy, the planned packages that bring it in.
type Change = model.Change

// Change kinds.
const (
	ChangeInstall   = model.ChangeInstall
	ChangeUpgrade   = model.ChangeUpgrade
	ChangeDowngrade = model.ChangeDowngrade
	ChangeRemove    = model.ChangeRemove
)

// Resolve answers Unimplemented when the provider is no Resolver, which
// tend takes as "this provider does not resolve dependencies".
func (s *server) Resolve(ctx context.Context, req *pb.ResolveRequest) (*pb.ResolveResponse, error) {
	r, ok := s.impl.(Resolver)
	if !ok {
		return nil, status.Error(codes.Unimplemented, "the provider does not resolve transactions")
	}
	runner, closeRunner, err := s.dialRunner(req.ExecBrokerId)
	if err != nil {
		return nil, err
	}
	defer closeRunner()
	resp, err := r.Resolve(ctx, &ResolveRequest{Host: req.Host, Config: s.config,
		Actions: protoconv.ActionsFromProto(req.Actions), Runner: runner})
	if err != nil {
		return nil, status.Error(codes.Unknown, err.Error())
	}
	return &pb.ResolveResponse{Changes: protoconv.ChangesToProto(resp.Changes), Warnings: resp.Warnings}, nil
}
