"""check --run: the image started through the local Docker engine, checked, and removed (see ``wizard.cli.check``)."""

from __future__ import annotations


async def run_image(args, interface: str, manifest, image: str, engine_name: str | None):
    from wizard.cli.check import printer, progress
    from wizard.testing.run import run_and_check

    if not args.json:
        print(f"check {image} as {interface}" + (f" ({engine_name})" if engine_name else ""), flush=True)
    report, memory = await run_and_check(image, interface, manifest, gpu=args.gpu, engine_name=engine_name,
                                         runs=args.runs, deadline=args.deadline,
                                         health_deadline=args.health_deadline, progress=progress,
                                         said=printer(args))
    return report, memory.document()
