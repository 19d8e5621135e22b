"""RTSP for the ONVIF metadata track: SDP, RTP reassembly and the client.

Modules: ``errors``, ``sdp`` (find the metadata track), ``rtp`` (packets and document
reassembly) and ``client`` (RTSP over TCP with interleaved RTP). Source: ``docs/protocols.md``,
"ONVIF metadata over RTSP".
"""
