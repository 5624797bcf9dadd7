#!/usr/bin/python3
"""Independent gRPC interop client (Debian python3-grpcio): streams audio chunks to anc.ANCService/ProcessAudioStream.

Generates stubs from anc.proto with grpc_tools.protoc into a temporary directory, creates a session with
config_json on the first chunk, streams N chunks of float32 planar reference + error, and prints one JSON line:
{"received": n, "sequences": [...], "timestamps": [...], "errors": [...], "samples": [...], "phases": [...]}.

Usage: /usr/bin/python3 grpc_client.py PROTO_PATH HOST:PORT TOKEN [CHUNKS]
"""
import json
import math
import os
import struct
import sys
import tempfile


def main():
    proto_path, target, token = sys.argv[1], sys.argv[2], sys.argv[3]
    chunks = int(sys.argv[4]) if len(sys.argv) > 4 else 50
    import grpc
    from grpc_tools import protoc

    out = tempfile.mkdtemp(prefix="anc-stubs-")
    proto_dir = os.path.dirname(os.path.abspath(proto_path))
    status = protoc.main(["protoc", f"-I{proto_dir}", f"--python_out={out}", f"--grpc_python_out={out}", os.path.basename(proto_path)])
    if status != 0:
        raise SystemExit(f"protoc failed with {status}")
    sys.path.insert(0, out)
    import anc_pb2
    import anc_pb2_grpc

    rate, frame = 16000, 160
    config = {"sampleRate": rate, "frameSize": frame, "taps": 64, "secondaryPathEstimate": [0, 0, 0, 0, 0.8, 0.3, -0.1]}

    def requests():
        for k in range(chunks):
            ref = [0.1 * math.sin(2 * math.pi * 200 * (k * frame + i) / rate) for i in range(frame)]
            err = [0.08 * math.sin(2 * math.pi * 200 * (k * frame + i) / rate + 0.5) for i in range(frame)]
            chunk = anc_pb2.AudioChunk(
                audio_data=struct.pack(f"<{2 * frame}f", *(ref + err)),
                sample_rate=rate, channels=2, timestamp_us=k * frame * 1e6 / rate, sequence=k, frame_size=frame,
            )
            if k == 0:
                chunk.config_json = json.dumps(config)
            yield chunk

    with grpc.insecure_channel(target) as channel:
        stub = anc_pb2_grpc.ANCServiceStub(channel)
        result = {"received": 0, "sequences": [], "timestamps": [], "errors": [], "samples": [], "phases": [], "session_ids": []}
        for reply in stub.ProcessAudioStream(requests(), metadata=[("authorization", f"Bearer {token}")]):
            if reply.error_code:
                result["errors"].append({"code": reply.error_code, "message": reply.error_message})
                continue
            result["received"] += 1
            result["sequences"].append(reply.sequence)
            result["timestamps"].append(reply.timestamp_us)
            result["samples"].append(len(reply.anti_noise_data) // 4)
            result["phases"].append(reply.phase)
            result["session_ids"].append(reply.session_id)
        print(json.dumps(result))


if __name__ == "__main__":
    main()
