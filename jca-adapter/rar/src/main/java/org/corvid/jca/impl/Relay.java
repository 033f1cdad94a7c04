package org.corvid.jca.impl;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * One direction of a byte relay between two channels (see {@link Session#relayTo}): what this side reads goes
 * to the other channel unchanged. Installed before the other side is connected, it holds what arrives meanwhile
 * and hands it over in order once {@link #connectTo} names the peer (the client may answer the peer's greeting
 * before that). Reading stops while the peer cannot take more and resumes when it can (the other direction's
 * handler sees that), and either side closing closes the other after what it sent is flushed. Event loop only.
 */
final class Relay extends ChannelInboundHandlerAdapter {
    private Channel to;
    private final List<Object> pending = new ArrayList<>();

    Relay(Channel to) {
        this.to = to;
    }

    /** The peer is connected: what arrived meanwhile goes to it first. */
    void connectTo(Channel peer) {
        to = peer;
        pending.forEach(peer::write);
        pending.clear();
        peer.flush();
    }

    /** The peer could not be reached: drops what was held. */
    void discard() {
        pending.forEach(ReferenceCountUtil::release);
        pending.clear();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (to == null) {
            pending.add(msg);
            return;
        }
        to.writeAndFlush(msg);
        if (!to.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && to != null) {
            to.config().setAutoRead(true); // the other side may read again
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (to != null) {
            to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        discard();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
