package protoconv

import pb "github.com/tend-sh/tend/plugins/proto/providerv1"

// Progress is one event during Apply (sdk.Progress).
type Progress struct {
	ActionID string // empty for events about the whole transaction
	Message  string
}

// ProgressToProto returns p as the apply event that reports it.
func ProgressToProto(p Progress) *pb.ApplyEvent {
	return &pb.ApplyEvent{Event: &pb.ApplyEvent_Progress{Progress: &pb.Progress{ActionId: p.ActionID, Message: p.Message}}}
}

// ProgressFromProto returns the progress an apply event reports.
func ProgressFromProto(in *pb.Progress) Progress {
	return Progress{ActionID: in.ActionId, Message: in.Message}
}
