import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** POST /cart, as a form or JSON. */
export class CartItemDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  item: string;
}
