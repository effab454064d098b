namespace WsRest.Abstractions.Tests;

/// <summary>Asserts that decoding fails with a <see cref="WsRestProtocolException"/> carrying a given code.</summary>
internal static class ProtocolAssert
{
    public static WsRestProtocolException Throws(WsRestErrorCode expected, TestDelegate action)
    {
        var ex = Assert.Throws<WsRestProtocolException>(action);
        Assert.That(ex, Is.Not.Null);
        Assert.That(ex!.ErrorCode, Is.EqualTo(expected), ex.Message);
        return ex;
    }
}
