using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace WsRest.Tests.Differential;

/// <summary>
/// An <c>[ApiController]</c> of the differential app: route, query, header, body and form binding,
/// automatic 400 ValidationProblemDetails, CreatedAtAction and an authorized action.
/// </summary>
[ApiController]
[Route("diff/api/items")]
public sealed class DifferentialItemsController : ControllerBase
{
    /// <summary>Route + query (scalar and array) + header binding.</summary>
    [HttpGet("{id:int}")]
    public ActionResult<ItemView> Get(
        [FromRoute] int id,
        [FromQuery] bool verbose,
        [FromQuery(Name = "tag")] string[] tags,
        [FromHeader(Name = "X-Request-Tag")] string? requestTag,
        [FromHeader(Name = "Accept-Language")] string? language)
    {
        if (id == 404)
        {
            return NotFound();
        }

        return new ItemView(id, verbose ? $"item {id} (verbose)" : $"item {id}", tags, requestTag, language);
    }

    /// <summary>Body binding with validation; a valid item is created with a Location header.</summary>
    [HttpPost]
    public ActionResult<ItemInput> Create([FromBody] ItemInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return CreatedAtAction(nameof(Get), new { id = 42 }, input);
    }

    /// <summary>Route + body + header + query in one action.</summary>
    [HttpPut("{id:int}")]
    public ActionResult<object> Replace([FromRoute] int id, [FromBody] ItemInput input, [FromHeader(Name = "If-Match")] string? ifMatch, [FromQuery] string? reason)
        => Ok(new { id, input, ifMatch, reason });

    /// <summary>Form binding (url-encoded and multipart).</summary>
    [HttpPost("form")]
    [Consumes("application/x-www-form-urlencoded", "multipart/form-data")]
    public ActionResult<object> Form([FromForm] ItemForm form)
    {
        ArgumentNullException.ThrowIfNull(form);
        return Ok(new { form.Name, form.Quantity, form.Tags, fileCount = Request.Form.Files.Count, fileLength = Request.Form.Files.Sum(f => f.Length) });
    }

    /// <summary>Only for an authenticated user.</summary>
    [Authorize]
    [HttpGet("me")]
    public ActionResult<string> Me() => Ok($"controller user {User.Identity?.Name}");

    /// <summary>Throws so the exception handler writes a 500 problem details response.</summary>
    [HttpGet("throw")]
    public ActionResult Throw() => throw new InvalidOperationException($"The controller throws on purpose at {Request.Path}.");
}

/// <summary>What <see cref="DifferentialItemsController.Get"/> returns.</summary>
public sealed record ItemView(int Id, string Description, IReadOnlyList<string> Tags, string? RequestTag, string? Language);

/// <summary>A validated JSON body.</summary>
public sealed class ItemInput
{
    /// <summary>Required.</summary>
    [Required]
    [StringLength(20)]
    public string? Name { get; set; }

    /// <summary>1 to 100.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 100)]
    public int Quantity { get; set; }

    /// <summary>Optional.</summary>
    public IReadOnlyList<string>? Tags { get; set; }
}

/// <summary>A form body.</summary>
public sealed class ItemForm
{
    /// <summary>Required.</summary>
    [Required]
    public string? Name { get; set; }

    /// <summary>Any integer.</summary>
    public int Quantity { get; set; }

    /// <summary>Repeated form field.</summary>
    public IReadOnlyList<string>? Tags { get; set; }
}
