package org.corvid.jca.impl;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * One direction of a byte relay between two channels (see {@link Session#relayTo}): what this side reads goes
 * to {@code to} unchanged. Reading stops while {@code to} cannot take more and resumes when it can (the other
 * direction's handler sees that), and either side closing closes the other after what it sent is flushed.
 */
final class Relay extends ChannelInboundHandlerAdapter {
    private final Channel to;

    Relay(Channel to) {
        this.to = to;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        to.writeAndFlush(msg);
        if (!to.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            to.config().setAutoRead(true); // the other side may read again
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
